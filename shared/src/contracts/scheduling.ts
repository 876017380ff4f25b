import { z } from '../http/api-router.js';
import { CADENCE_CATEGORIES } from '../cadence/outcome.js';
import { weekdaySchema } from '../time/zones.js';

/**
 * The scheduling service's response shapes: the service answers with them and the typed client
 * (used by the agenda service) parses with them, so the two cannot disagree.
 */

export const organizationSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.string() }).openapi('Organization');

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last'),
  });

export const excuseKindSchema = z.enum(['vacation', 'sick', 'holiday', 'disaster', 'other']);
export const policySchema = z
  .enum(['flag', 'restore'])
  .describe('flag: report unexcused cancellations; restore: also reinstate them');
export const calendarKindSchema = z.enum(['local', 'google', 'microsoft']);
export const seriesStatusSchema = z.enum(['active', 'ended', 'cancelled']);

const personRef = z.object({ id: z.string(), name: z.string(), email: z.string() });

export const seriesSchema = z
  .object({
    id: z.string(),
    manager: personRef,
    rep: personRef,
    weekday: weekdaySchema,
    startTime: z.string(),
    timeZone: z.string(),
    durationMinutes: z.number(),
    location: z.string().nullable(),
    startDate: z.string(),
    endDate: z.string().nullable(),
    count: z.number().nullable(),
    policy: policySchema,
    calendar: z.object({ provider: calendarKindSchema, eventId: z.string().nullable() }),
    status: seriesStatusSchema,
    endedAt: z.string().nullable(),
    endReason: z.string().nullable(),
    rrule: z.string().describe('The current weekly rule, e.g. RRULE:FREQ=WEEKLY;BYDAY=TU'),
    agendaUrl: z.string().nullable(),
    history: z
      .array(
        z.object({
          effectiveFrom: z.string(),
          weekday: weekdaySchema,
          startTime: z.string(),
          durationMinutes: z.number(),
          location: z.string().nullable(),
        }),
      )
      .describe('Every version of the rule and when it took effect'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Series');
export type SeriesView = z.infer<typeof seriesSchema>;

export const occurrenceStateSchema = z.enum(['scheduled', 'held', 'cancelled', 'moved', 'declined', 'restored']);
export type OccurrenceState = z.infer<typeof occurrenceStateSchema>;
export const changeSourceSchema = z.enum(['local', 'google', 'microsoft', 'api']);
export type ChangeSource = z.infer<typeof changeSourceSchema>;

export const cancellationSchema = z
  .object({
    excused: z.boolean(),
    reason: z.string().nullable(),
    kind: excuseKindSchema.nullable(),
    excuseId: z.string().nullable(),
    excusedBy: z
      .enum(['excuse', 'manager'])
      .nullable()
      .describe('An excuse window covered it, or a manager excused it afterwards'),
    cancelledBy: z.object({ email: z.string(), name: z.string().nullable() }).nullable(),
    cancelledAt: z.string().describe('When Cadence detected the cancellation'),
  })
  .openapi('Cancellation');
export type Cancellation = z.infer<typeof cancellationSchema>;

export const moveSchema = z
  .object({
    start: z.string(),
    end: z.string(),
    minutesMoved: z.number().int().describe('New start minus original start; negative when earlier'),
    sameWeek: z.boolean().describe('Still in the original ISO week, in the series time zone'),
  })
  .openapi('Move');
export type Move = z.infer<typeof moveSchema>;

export const declineSchema = z
  .object({
    by: z.array(z.object({ email: z.string(), personId: z.string().nullable(), role: z.enum(['manager', 'rep', 'guest']) })),
  })
  .openapi('Decline');
export type Decline = z.infer<typeof declineSchema>;

export const modificationSchema = z
  .object({ fields: z.array(z.string()), location: z.string().nullable(), durationMinutes: z.number() })
  .openapi('Modification');
export type Modification = z.infer<typeof modificationSchema>;

export const historyEntrySchema = z.object({
  detectedAt: z.string(),
  source: changeSourceSchema,
  change: z.string(),
  detail: z.record(z.string(), z.unknown()),
});

export const occurrenceSchema = z
  .object({
    seriesId: z.string(),
    key: z.string().describe('Original start in UTC, YYYYMMDDTHHMMSSZ'),
    originalStart: z.string(),
    start: z.string().describe('Actual start (after a move)'),
    end: z.string(),
    timeZone: z.string(),
    startLocal: z.string().describe('Actual start in the series time zone, ISO 8601 with offset'),
    endLocal: z.string(),
    location: z.string().nullable(),
    durationMinutes: z.number(),
    state: occurrenceStateSchema,
    cancellation: cancellationSchema.nullable(),
    move: moveSchema.nullable(),
    decline: declineSchema.nullable(),
    modification: modificationSchema.nullable(),
    restoredAt: z.string().nullable(),
    history: z.array(historyEntrySchema),
  })
  .openapi('Occurrence');
export type OccurrenceView = z.infer<typeof occurrenceSchema>;

/** An occurrence in a bulk listing: the view without its change history (ask for one occurrence for that). */
export const occurrenceInRangeSchema = occurrenceSchema.omit({ history: true }).openapi('OccurrenceInRange');
export type OccurrenceInRange = z.infer<typeof occurrenceInRangeSchema>;

/** The cadence rules the scheduling service raises streak events with; the report applies the same ones. */
export const cadenceRulesSchema = z
  .object({
    streakBrokenMinWeeks: z.number().int().describe('A miss ending a run of at least this many held weeks raises streak.broken'),
  })
  .openapi('CadenceRules');
export type CadenceRules = z.infer<typeof cadenceRulesSchema>;

/** A page of series (grouped by manager, then rep), each with its occurrences in the range as `item` has them. */
const seriesPageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last'),
    rules: cadenceRulesSchema,
  });

/** `GET /v1/occurrences`: one page of series with their occurrences in the range. */
export const occurrencesByPairPageSchema = seriesPageOf(
  z.object({ series: seriesSchema, occurrences: z.array(occurrenceInRangeSchema).describe('In order of original start') }),
).openapi('OccurrencesByPair');
export type OccurrencesByPairPage = z.infer<typeof occurrencesByPairPageSchema>;

/**
 * A series' occurrences as a report reads them (`fields=report`): each one's key and cadence
 * category as of the request, in columns. A year of a large organization's meetings as objects
 * (key, times, state, cancellation…) was ~14 MB that both services wrote, read and checked for
 * every report; this is a fifth of that.
 */
export const seriesOutcomesSchema = z
  .object({
    keys: z.array(z.string()).describe('Occurrence keys (original start in UTC, YYYYMMDDTHHMMSSZ), in order of original start'),
    categories: z
      .array(z.enum(CADENCE_CATEGORIES))
      .describe('The cadence category of each occurrence as of the request, in the order of `keys`'),
    restored: z.array(z.string()).describe('Keys of the occurrences that were cancelled and then restored'),
    upcoming: z
      .array(z.object({ key: z.string(), end: z.string(), moved: z.boolean() }))
      .describe(
        'The occurrences still upcoming, with their actual end: once it has passed they count as held (`held_moved_in_week` when moved), so a kept page can be counted later',
      ),
  })
  .refine((o) => o.categories.length === o.keys.length, {
    message: 'must have one category per key',
    path: ['categories'],
  })
  .openapi('SeriesOutcomes');
export type SeriesOutcomes = z.infer<typeof seriesOutcomesSchema>;

/** `GET /v1/occurrences?fields=report`: the same page with each series' occurrences as cadence outcomes. */
export const occurrencesForReportPageSchema = seriesPageOf(
  z.object({ series: seriesSchema, outcomes: seriesOutcomesSchema }),
).openapi('OccurrencesForReport');
export type OccurrencesForReportPage = z.infer<typeof occurrencesForReportPageSchema>;
