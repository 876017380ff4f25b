import { createHash } from 'node:crypto';
import { nextSequence } from '../outbox/sequence.js';
import type { PendingEvent } from '../outbox/pending.js';
import type { SchedulingModels } from '../context.js';

export interface NewEvent {
  type: string;
  data: Record<string, unknown>;
  /** An id of its own, for an event raised once per occurrence whichever change raises it. */
  id?: string;
  /** The occurrence it is about, when not the document's own (a streak event names the week it concerns). */
  seriesId?: string;
  occurrenceKey?: string;
}

/**
 * Deterministic event ids: a document version is reached by exactly one update (compare-and-set),
 * so (document, version, index) names an event once, however often it is relayed.
 */
export const eventId = (documentId: string, version: number, index: number) =>
  `evt_${createHash('sha256').update(`${documentId}|${version}|${index}`).digest('base64url').slice(0, 26)}`;

/** Turns new events into pending events with ids and reserved delivery-order numbers. */
export async function pendingEvents(
  models: SchedulingModels,
  owner: { id: string; version: number; organizationId: string; seriesId: string | null; occurrenceKey: string | null },
  events: NewEvent[],
  at: Date,
): Promise<PendingEvent[]> {
  if (!events.length) return [];
  const first = nextSequence(events.length);
  return events.map((e, i) => ({
    id: e.id ?? eventId(owner.id, owner.version, i),
    organizationId: owner.organizationId,
    type: e.type,
    seriesId: e.seriesId ?? owner.seriesId,
    occurrenceKey: e.occurrenceKey ?? owner.occurrenceKey,
    occurredAt: at,
    sequence: first + i,
    data: e.data,
  }));
}
