import { z } from '@cadence/shared/http';
import { personIdSchema } from '../people/schemas.js';

export const providerParams = z.strictObject({ provider: z.enum(['google', 'microsoft']) });
export const startBody = z.strictObject({ personId: personIdSchema }).openapi('ConnectionStart');
export const startSchema = z
  .object({ url: z.string().describe('Send the person here to consent'), expiresAt: z.string() })
  .openapi('ConnectionConsent');
export const callbackQuery = z.object({
  code: z.string().min(1).max(4096).optional(),
  state: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be the state Cadence issued'),
  error: z.string().max(200).optional(),
  scope: z.string().max(2000).optional(),
});
export const connectionSchema = z
  .object({
    id: z.string(),
    personId: z.string(),
    provider: z.enum(['google', 'microsoft']),
    status: z.enum(['active', 'reauth_required', 'disconnected']),
    accountEmail: z.string().nullable(),
    calendarId: z.string(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Connection');
export type ConnectionView = z.infer<typeof connectionSchema>;
export const connectionParams = z.strictObject({ id: z.string().regex(/^con_[0-9a-z]{21}$/, 'must be a connection id (con_…)') });
export const listConnectionsQuery = z.strictObject({ personId: personIdSchema.optional() });
