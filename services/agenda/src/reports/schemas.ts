import { CADENCE_CATEGORIES } from '@cadence/shared/cadence/streaks';
import { z } from '@cadence/shared/http';
import { localDateSchema } from '@cadence/shared/time';

const personIdSchema = z.string().regex(/^per_[0-9a-z]{21}$/, 'must be a person id (per_…)');

export const REPORT_FORMATS = ['json', 'csv', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const cadenceReportQuery = z.strictObject({
  from: localDateSchema
    .optional()
    .describe('First local date of the range (inclusive), in each series’ zone; default: 12 weeks before to'),
  to: localDateSchema.optional().describe('Last local date of the range (inclusive), in each series’ zone; default: today there'),
  managerId: personIdSchema.optional(),
  repId: personIdSchema.optional(),
  format: z
    .enum(REPORT_FORMATS, { message: 'must be json, csv or html' })
    .optional()
    .describe('Default: from the Accept header (text/csv, text/html), else json'),
  threshold: z.coerce
    .number({ message: 'must be a percentage 0-100' })
    .min(0, 'must be a percentage 0-100')
    .max(100, 'must be a percentage 0-100')
    .optional()
    .describe('Flag pairs and managers below this adherence (percent); default REPORT_ADHERENCE_THRESHOLD (80)'),
});
export type CadenceReportQuery = z.output<typeof cadenceReportQuery>;

const person = z.object({ id: z.string(), name: z.string() });
const percent = z.number().nullable().describe('Percent, one decimal; null when nothing to divide by');

const weeklyActivity = z.object({
  week: z.string().describe('ISO week of the occurrence, in its series’ zone (2026-W05)'),
  calls: z.number(),
  dealsClosed: z.number(),
  callsPerDealClosed: z.number().nullable(),
});

/** The figures of a pair, a manager's pairs, or the organization. */
const statsShape = {
  scheduled: z
    .object({
      total: z.number().int(),
      past: z.number().int().describe('Decided: over, or cancelled, declined or moved out ahead of time'),
      upcoming: z.number().int(),
    })
    .describe('Occurrences whose original start falls in the range'),
  held: z.object({ onSlot: z.number().int(), movedInWeek: z.number().int(), total: z.number().int() }),
  movedOutOfWeek: z.number().int(),
  cancelled: z.object({ excused: z.number().int(), unexcused: z.number().int() }),
  declined: z.number().int().describe('Declined by the manager or the rep'),
  restored: z.number().int().describe('Reinstated after a cancellation (also counted where they stand now: held or upcoming)'),
  adherence: z
    .object({
      percent,
      held: z.number().int(),
      expected: z.number().int().describe('Past scheduled minus cancelled excused'),
    })
    .describe('held ÷ (past scheduled − excused)'),
  flagged: z.boolean().describe('Adherence below the threshold'),
  homework: z.object({
    assigned: z.number().int().describe('Assigned at occurrences in the range'),
    completed: z.number().int(),
    completedOnTime: z.number().int().describe('Marked done no later than due'),
    openOverdue: z.number().int(),
    dropped: z.number().int(),
    completionRate: percent.describe('completed ÷ (assigned − dropped), percent'),
  }),
  agenda: z.object({
    heldMeetings: z.number().int(),
    withAgenda: z.number().int(),
    itemsPlanned: z.number().int().describe('Agenda items of held meetings (the standard 7 for one nobody opened)'),
    itemsCovered: z.number().int(),
    coverage: percent.describe('itemsCovered ÷ itemsPlanned, percent'),
    withNotes: z.number().int().describe('Held meetings whose agenda has notes'),
  }),
  activity: z.object({
    weeksWithFigures: z.number().int().describe('Weeks whose agenda records both calls and deals closed'),
    calls: z.number(),
    dealsClosed: z.number(),
    callsPerDealClosed: z.number().nullable().describe('calls ÷ deals closed over those weeks, two decimals'),
    trendPerWeek: z
      .number()
      .nullable()
      .describe('Least-squares slope of the weekly calls per deal closed, per week (negative: fewer calls per deal)'),
    weekly: z.array(weeklyActivity),
  }),
};

const week = z.object({
  week: z.string(),
  seriesId: z.string(),
  occurrenceKey: z.string(),
  category: z.enum(CADENCE_CATEGORIES as unknown as [string, ...string[]]),
});

export const pairReportSchema = z
  .object({
    manager: person,
    rep: person,
    seriesIds: z.array(z.string()),
    timeZones: z.array(z.string()),
    ...statsShape,
    streak: z.object({
      current: z.number().int().describe('Held weeks in a row at the end of the range (excused weeks set aside)'),
      longest: z.number().int(),
      breaks: z
        .array(z.object({ seriesId: z.string(), occurrenceKey: z.string(), streakWeeks: z.number().int() }))
        .describe('Misses in the range that broke a streak: the streak.broken events'),
      atRisk: z
        .array(z.object({ seriesId: z.string(), occurrenceKey: z.string() }))
        .describe('Second unexcused misses in a row in the range: the cadence.at_risk events'),
    }),
    weeks: z.array(week).describe('Every occurrence in the range and its category, in order'),
  })
  .openapi('CadencePairReport');
export type PairReport = z.infer<typeof pairReportSchema>;

export const managerReportSchema = z
  .object({ manager: person, pairs: z.number().int(), flaggedPairs: z.number().int(), ...statsShape })
  .openapi('CadenceManagerReport');
export type ManagerReport = z.infer<typeof managerReportSchema>;

export const organizationReportSchema = z
  .object({
    managers: z.number().int(),
    flaggedManagers: z.number().int(),
    pairs: z.number().int(),
    flaggedPairs: z.number().int(),
    ...statsShape,
  })
  .openapi('CadenceOrganizationReport');

export const cadenceReportSchema = z
  .object({
    range: z.object({
      from: z.string(),
      to: z.string().nullable().describe('null: today, in each series’ zone'),
    }),
    generatedAt: z.string(),
    threshold: z.number().describe('Adherence percentage below which pairs and managers are flagged'),
    rules: z.object({ streakBrokenMinWeeks: z.number().int() }),
    organization: organizationReportSchema,
    managers: z.array(managerReportSchema),
    pairs: z.array(pairReportSchema),
  })
  .openapi('CadenceReport');
export type CadenceReport = z.infer<typeof cadenceReportSchema>;

/** The figures rolled up for managers and the organization (a pair's without people and streaks). */
export type Stats = Pick<PairReport, keyof typeof statsShape>;
