import { occurrenceKey } from '@cadence/shared/time';
import type { ObservedInstance } from '../../changes/observation.js';
import type { PlannedOccurrence } from '../../series/schedule.js';
import type { LocalEventState } from './store.js';

/** What the local calendar shows for one instance, in the pipeline's provider-neutral terms. */
export function observeLocalInstance(event: LocalEventState, seriesId: string, planned: PlannedOccurrence): ObservedInstance {
  const key = occurrenceKey(planned.originalStart);
  const override = event.overrides.find((o) => o.key === key);
  return {
    seriesId,
    key,
    source: 'local',
    // zero-padded so revisions compare as strings
    revision: `local:${String(event.sequence).padStart(12, '0')}`,
    status: event.cancelled.includes(key) ? 'cancelled' : 'confirmed',
    start: override?.start ?? planned.originalStart,
    end: override?.end ?? planned.plannedEnd,
    location: override ? (override.location ?? null) : (planned.segment.location ?? null),
    declinedBy: event.declines.filter((d) => d.key === key).map((d) => d.email!),
  };
}
