import type { Model } from 'mongoose';
import { commitVersion, type Journal } from '@cadence/shared/db';
import { KeyedLock } from '@cadence/shared/process';
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
const locks = new KeyedLock();

export function updateLocalEvent(...args: Parameters<typeof updateLocalEventNow>): Promise<LocalEventState> {
  return locks.run(args[2]._id, () => updateLocalEventNow(...args));
}

async function updateLocalEventNow(
  LocalEvents: Model<LocalEventDoc>,
  journal: Journal,
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
    if (await commitVersion(LocalEvents, journal, _id, sequence, { ...editable, updatedAt: now() }, 'sequence')) {
      return { ...draft, _id, seriesId, sequence: sequence + 1 };
    }
  }
  throw conflict('The local calendar event changed concurrently; try again.');
}
