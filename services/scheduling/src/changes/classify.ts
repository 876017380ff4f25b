import type { Decline, Modification, Move, OccurrenceState } from '../occurrences/schemas.js';
import type { ObservedInstance } from './observation.js';

export interface KnownOccurrence {
  state: OccurrenceState;
  move: Move | null;
  decline: Decline | null;
  modification: Modification | null;
}

export interface PlannedSlot {
  originalStart: Date;
  plannedEnd: Date;
  location: string | null;
}

export type Transition =
  | { change: 'cancelled' }
  | { change: 'reinstated' }
  | { change: 'moved'; start: Date; end: Date }
  | { change: 'moved_back' }
  | { change: 'declined'; emails: string[] }
  | { change: 'modified'; fields: string[]; location: string | null; durationMinutes: number };

const minutes = (a: Date, b: Date) => Math.round((b.getTime() - a.getTime()) / 60_000);

/**
 * The classified changes between what Cadence knows about an occurrence and what the calendar
 * shows now. Pure: the same observation against the resulting state yields nothing.
 */
export function classify(known: KnownOccurrence, planned: PlannedSlot, obs: ObservedInstance): Transition[] {
  if (obs.status === 'cancelled') return known.state === 'cancelled' ? [] : [{ change: 'cancelled' }];

  const out: Transition[] = [];
  if (known.state === 'cancelled') out.push({ change: 'reinstated' });

  if (obs.start && obs.end) {
    const knownStart = known.move ? new Date(known.move.start) : planned.originalStart;
    if (obs.start.getTime() !== knownStart.getTime()) {
      out.push(
        obs.start.getTime() === planned.originalStart.getTime()
          ? { change: 'moved_back' }
          : { change: 'moved', start: obs.start, end: obs.end },
      );
    }
  }

  const plannedDuration = minutes(planned.originalStart, planned.plannedEnd);
  const knownDuration = known.modification?.durationMinutes ?? plannedDuration;
  const knownLocation = known.modification ? known.modification.location : planned.location;
  const duration = obs.start && obs.end ? minutes(obs.start, obs.end) : knownDuration;
  const location = obs.location === undefined ? knownLocation : obs.location;
  const fields = [...(duration !== knownDuration ? ['duration'] : []), ...(location !== knownLocation ? ['location'] : [])];
  if (fields.length) out.push({ change: 'modified', fields, location, durationMinutes: duration });

  if (obs.declinedBy) {
    const already = new Set((known.decline?.by ?? []).map((d) => d.email.toLowerCase()));
    const fresh = [...new Set(obs.declinedBy.map((e) => e.toLowerCase()))].filter((e) => !already.has(e));
    if (fresh.length) out.push({ change: 'declined', emails: fresh });
  }
  return out;
}
