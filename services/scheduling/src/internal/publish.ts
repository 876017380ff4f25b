import { createHash } from 'node:crypto';
import { badRequest, conflict } from '@cadence/shared/http';
import type { SchedulingContext } from '../context.js';
import { nextSequence } from '../outbox/sequence.js';
import { insertOutboxEvent } from '../outbox/unfanned.js';
import type { PublishEventInput } from './schemas.js';

/** The outbox id of a published event: the caller's idempotency key, per organization. */
export const publishedEventId = (organizationId: string, key: string) =>
  `evt_${createHash('sha256').update(`published|${organizationId}|${key}`).digest('base64url').slice(0, 26)}`;

const sameEvent = (a: { type: string; data: unknown }, b: { type: string; data: unknown }) =>
  a.type === b.type && JSON.stringify(a.data) === JSON.stringify(b.data);

/**
 * Writes another service's event to the outbox, from where it is fanned out to webhooks like the
 * scheduling service's own. Publishing the same key again returns the first event; the same key
 * with different content is a conflict.
 */
export async function publishEvent(ctx: SchedulingContext, input: PublishEventInput) {
  const { Organization, Outbox } = ctx.models;
  if (!(await Organization.exists({ _id: input.organizationId }))) {
    throw badRequest('Invalid body: organizationId.', [
      { location: 'body', field: 'organizationId', message: 'no such organization' },
    ]);
  }
  const id = publishedEventId(input.organizationId, input.id);
  const existing = await Outbox.findById(id).lean();
  if (existing) return answer(existing, input, id);
  const now = ctx.now();
  const written = await insertOutboxEvent(Outbox, {
    _id: id,
    organizationId: input.organizationId,
    type: input.type,
    seriesId: input.seriesId ?? null,
    occurrenceKey: input.occurrenceKey ?? null,
    occurredAt: input.occurredAt ? new Date(input.occurredAt) : now,
    data: input.data,
    createdAt: now,
    sequence: nextSequence(),
  });
  if (written) return { id, type: input.type, duplicate: false };
  // the same key published twice at once: the other one won
  return answer((await Outbox.findById(id).lean())!, input, id);
}

function answer(existing: { type: string; data: unknown }, input: PublishEventInput, id: string) {
  if (!sameEvent(existing, input)) throw conflict(`Event ${input.id} was published before with other content.`);
  return { id, type: existing.type, duplicate: true };
}
