import type { z } from 'zod';

/** A config that failed validation; `problems` names every bad or missing variable. */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: { variable: string; message: string }[],
  ) {
    super(`Invalid configuration for ${service}:\n` + problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

/** Environment variables as strings; empty strings count as unset so `FOO=` falls back to the default. */
export type Env = Record<string, string | undefined>;

function withoutEmpty(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
}

/** Validates `env` against `schema`, collecting every problem into one ConfigError. */
export function parseConfig<S extends z.ZodObject>(service: string, schema: S, env: Env): z.infer<S> {
  const present = withoutEmpty(env);
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.map(String).join('.') || '(environment)';
    const unset = issue.code === 'invalid_type' && present[variable] === undefined;
    return { variable, message: unset ? 'is required but not set' : issue.message };
  });
  throw new ConfigError(service, problems);
}
