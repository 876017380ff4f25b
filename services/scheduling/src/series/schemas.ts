import { z } from '@cadence/shared/http';
import { localDateSchema, localTimeSchema, timeZoneSchema, weekdaySchema } from '@cadence/shared/time';
import { pageQuery } from '@cadence/shared/http';
import { calendarKindSchema, policySchema, seriesStatusSchema } from '@cadence/shared/contracts/scheduling';

export {
  calendarKindSchema,
  policySchema,
  seriesSchema,
  seriesStatusSchema,
  type SeriesView,
} from '@cadence/shared/contracts/scheduling';
import { personIdSchema } from '../people/schemas.js';

export const seriesIdSchema = z.string().regex(/^ser_[0-9a-z]{21}$/, 'must be a series id (ser_…)');

const durationSchema = z.number().int().min(15, 'must be at least 15 minutes').max(180, 'must be at most 180 minutes');
const locationSchema = z.string().trim().min(1).max(500);

export const createSeriesBody = z
  .strictObject({
    managerId: personIdSchema,
    repId: personIdSchema,
    weekday: weekdaySchema,
    startTime: localTimeSchema.describe('Local start time HH:mm in timeZone'),
    timeZone: timeZoneSchema,
    durationMinutes: durationSchema.default(60),
    location: locationSchema.optional(),
    startDate: localDateSchema.describe('First local date a meeting may fall on'),
    endDate: localDateSchema.optional().describe('Last local date (inclusive); or give count'),
    count: z.number().int().min(1).max(520).optional().describe('Number of meetings; or give endDate'),
    policy: policySchema.default('flag'),
    calendar: calendarKindSchema.default('local'),
  })
  .superRefine((b, ctx) => {
    if (b.managerId === b.repId) ctx.addIssue({ code: 'custom', path: ['repId'], message: 'must differ from managerId' });
    if (b.endDate !== undefined && b.count !== undefined)
      ctx.addIssue({ code: 'custom', path: ['count'], message: 'give endDate or count, not both' });
    if (b.endDate !== undefined && b.endDate < b.startDate)
      ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'must not be before startDate' });
  })
  .openapi('CreateSeries');
export type CreateSeriesInput = z.output<typeof createSeriesBody>;

export const updateSeriesBody = z
  .strictObject({
    weekday: weekdaySchema.optional(),
    startTime: localTimeSchema.optional(),
    durationMinutes: durationSchema.optional(),
    location: locationSchema.nullable().optional(),
    policy: policySchema.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' })
  .openapi('UpdateSeries');
export type UpdateSeriesInput = z.output<typeof updateSeriesBody>;

export const agendaLinkBody = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
      .max(2000)
      .nullable(),
  })
  .openapi('AgendaLink');

export const seriesParams = z.strictObject({ id: seriesIdSchema });
export const listSeriesQuery = z.strictObject({
  managerId: personIdSchema.optional(),
  repId: personIdSchema.optional(),
  status: seriesStatusSchema.optional(),
  ...pageQuery,
});
