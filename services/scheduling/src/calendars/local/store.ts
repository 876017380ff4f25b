import type { Model } from 'mongoose';
import { conflict, notFound } from '@cadence/shared/http';
import type { SeriesDoc } from '../../series/models.js';
import type { LocalEventDoc } from './models.js';

/** A local event as code works with it: plain arrays, no mongoose document types. */
export interface EditableLocalEvent {
  cancelled: string[];
  overrides: { key: string; start: Date; end: Date; location: string | null }[];
  declines: { key: string; email: string }[];
  deleted: boolean;
  truncatedAt: Date | null;
}

export interface LocalEventState extends EditableLocalEvent {
  _id: string;
  seriesId: string;
  sequence: number;
}

export function toLocalEventState(doc: LocalEventDoc): LocalEventState {
  return {
    _id: doc._id,
    seriesId: doc.seriesId,
    sequence: doc.sequence,
    cancelled: [...doc.cancelled],
    overrides: doc.overrides.map((o) => ({ key: o.key!, start: o.start!, end: o.end!, location: o.location ?? null })),
    declines: doc.declines.map((d) => ({ key: d.key!, email: d.email! })),
    deleted: doc.deleted ?? false,
    truncatedAt: doc.truncatedAt ?? null,
  };
}

/**
 * Edits a series' local event with compare-and-set on its sequence (arrays are rewritten whole:
 * FerretDB has no positional array updates). `edit` returns false when there is nothing to change.
 */
export async function updateLocalEvent(
  LocalEvents: Model<LocalEventDoc>,
  series: Pick<SeriesDoc, '_id' | 'organizationId'>,
  now: () => Date,
  edit: (event: EditableLocalEvent) => boolean,
): Promise<LocalEventState> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const current = await LocalEvents.findOne({ organizationId: series.organizationId, seriesId: series._id }).lean();
    if (!current) throw notFound(`Series ${series._id} is not on the local calendar.`);
    const draft = toLocalEventState(current);
    if (!edit(draft)) return draft;
    const { _id, seriesId, sequence, ...editable } = draft;
    const res = await LocalEvents.updateOne(
      { _id, sequence },
      { $set: { ...editable, sequence: sequence + 1, updatedAt: now() } },
    );
    if (res.matchedCount === 1) return { ...draft, _id, seriesId, sequence: sequence + 1 };
  }
  throw conflict('The local calendar event changed concurrently; try again.');
}
