/** Events the scheduling service writes to the outbox. */
export const SCHEDULING_EVENT_TYPES = [
  'occurrence.cancelled',
  'occurrence.moved',
  'occurrence.declined',
  'occurrence.modified',
  'occurrence.restored',
  'occurrence.excused',
  /** An unexcused miss ended a streak of held weeks (STREAK_BROKEN_MIN_WEEKS or more); see shared/src/cadence. */
  'streak.broken',
  /** A pair missed two weeks in a row without an excuse. */
  'cadence.at_risk',
  'series.created',
  'series.updated',
  'series.ended',
  'series.cancelled',
  'series.truncated',
  'connection.reauth_required',
] as const;

/**
 * Namespaces the agenda service owns: it names its own events there (`homework.overdue`…). The
 * streak events are the scheduling service's own, raised where occurrence states change.
 */
export const AGENDA_NAMESPACES = ['homework', 'agenda'] as const;

/** Sent only by `POST /v1/webhooks/:id/test`, never fanned out to filters. */
export const TEST_EVENT_TYPE = 'webhook.test';

const NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const PREFIX = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\.\*$/;

const namespaceOf = (name: string) => name.slice(0, name.indexOf('.'));
const knownNamespaces = new Set<string>([...SCHEDULING_EVENT_TYPES.map(namespaceOf), ...AGENDA_NAMESPACES]);
const agendaNamespaces = new Set<string>(AGENDA_NAMESPACES);
const schedulingTypes = new Set<string>(SCHEDULING_EVENT_TYPES);

/** Whether `name` is an event type the agenda service may publish. */
export const isAgendaEventType = (name: string) => NAME.test(name) && agendaNamespaces.has(namespaceOf(name));

/**
 * Why a subscription filter is not acceptable, or undefined when it is: `*`, an exact event
 * name, or a prefix such as `occurrence.*` in a namespace that exists.
 */
export function filterProblem(filter: string): string | undefined {
  if (filter === '*') return undefined;
  if (PREFIX.test(filter)) {
    return knownNamespaces.has(namespaceOf(filter.replace(/\.\*$/, '.x'))) ? undefined : `has no known namespace`;
  }
  if (!NAME.test(filter)) return 'must be an event type such as occurrence.cancelled, a prefix such as occurrence.*, or *';
  if (schedulingTypes.has(filter) || agendaNamespaces.has(namespaceOf(filter))) return undefined;
  return 'is not a known event type';
}

/** Whether an event of type `type` passes one of `filters`. */
export function matchesAny(filters: readonly string[], type: string): boolean {
  return filters.some((f) => f === '*' || f === type || (f.endsWith('.*') && type.startsWith(f.slice(0, -1))));
}
