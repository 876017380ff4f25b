import { z } from 'zod';

// Building blocks shared by the per-service schemas: environment strings become typed values here.

const PORT_MESSAGE = 'must be a port number 0-65535';
export const port = (fallback: number) =>
  z.coerce.number({ error: PORT_MESSAGE }).int(PORT_MESSAGE).min(0, PORT_MESSAGE).max(65535, PORT_MESSAGE).default(fallback);

export const host = (fallback: string) => z.string().min(1).default(fallback);

const MS_MESSAGE = 'must be a positive whole number of milliseconds';
export const positiveMs = (fallback: number) =>
  z.coerce.number({ error: MS_MESSAGE }).int(MS_MESSAGE).positive(MS_MESSAGE).default(fallback);

export const boolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .default(fallback);

export const mongoUri = z
  .string()
  .regex(/^mongodb(\+srv)?:\/\/\S+$/, 'must be a mongodb:// or mongodb+srv:// connection string')
  .optional();

export const dbName = (fallback: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, 'must be 1-63 letters, digits, _ or -')
    .default(fallback);

export const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });

export const nodeEnv = z.enum(['development', 'test', 'production']).default('development');

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** Which embedded database to start when MONGODB_URI is not set. */
export const embeddedDb = z.enum(['auto', 'mongod', 'ferretdb']).default('auto');
