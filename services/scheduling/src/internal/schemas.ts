import { z } from '@cadence/shared/http';
import { instantSchema, occurrenceKeySchema } from '@cadence/shared/time';
import { seriesIdSchema } from '../series/schemas.js';
import { AGENDA_NAMESPACES, isAgendaEventType } from '../webhooks/event-types.js';

export const publishEventBody = z
  .strictObject({
    organizationId: z.string().regex(/^org_[0-9a-z]{21}$/, 'must be an organization id (org_…)'),
    type: z
      .string()
      .max(100)
      .refine(isAgendaEventType, { message: `must be an event type under ${AGENDA_NAMESPACES.map((n) => `${n}.`).join(', ')}` }),
    id: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,200}$/, 'must be 1-200 letters, digits or . _ : -')
      .describe('The caller’s idempotency key: publishing the same id again is the same event'),
    occurredAt: instantSchema.optional().describe('Default: now'),
    seriesId: seriesIdSchema.optional().describe('Orders this event with the series’ other events'),
    occurrenceKey: occurrenceKeySchema.optional(),
    data: z.record(z.string(), z.unknown()).describe('The webhook payload’s `data`, as receivers get it'),
  })
  .openapi('PublishEvent');
export type PublishEventInput = z.output<typeof publishEventBody>;

export const publishedEventSchema = z
  .object({
    id: z.string().describe('The event id, sent as `webhook-id`'),
    type: z.string(),
    duplicate: z.boolean().describe('Whether this id had been published before (nothing new was written)'),
  })
  .openapi('PublishedEvent');
