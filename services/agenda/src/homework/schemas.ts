import { z } from '@cadence/shared/http';
import { instantSchema, occurrenceKeySchema } from '@cadence/shared/time';
import { pageQuery } from '@cadence/shared/http';
import { seriesIdSchema } from '../templates/schemas.js';

export const ownerSchema = z.enum(['rep', 'manager'], { message: 'must be rep or manager' });
export const homeworkStatusSchema = z.enum(['open', 'done', 'dropped'], { message: 'must be open, done or dropped' });
export type HomeworkStatus = z.infer<typeof homeworkStatusSchema>;
export const homeworkIdSchema = z.string().regex(/^hw_[0-9a-z]{21}$/, 'must be a homework id (hw_…)');

const title = z.string().trim().min(1, 'must not be empty').max(200);
const details = z.string().trim().max(5000);

export const assignHomeworkBody = z
  .strictObject({
    title,
    details: details.default(''),
    owner: ownerSchema,
    due: instantSchema.optional().describe('Default: one hour before the next occurrence starts'),
  })
  .openapi('AssignHomework');
export type AssignHomeworkInput = z.output<typeof assignHomeworkBody>;

export const createHomeworkBody = assignHomeworkBody
  .extend({
    seriesId: seriesIdSchema,
    occurrenceKey: occurrenceKeySchema.describe('The occurrence it is assigned at'),
  })
  .openapi('CreateHomework');

export const updateHomeworkBody = z
  .strictObject({
    title: title.optional(),
    details: details.optional(),
    owner: ownerSchema.optional(),
    due: instantSchema.optional(),
    status: homeworkStatusSchema.optional(),
    changedBy: ownerSchema.optional().describe('Who is making the change, recorded with a status change'),
  })
  .refine((b) => Object.keys(b).some((k) => k !== 'changedBy'), { message: 'give at least one field to change' })
  .openapi('UpdateHomework');
export type UpdateHomeworkInput = z.output<typeof updateHomeworkBody>;

export const homeworkParams = z.strictObject({ id: homeworkIdSchema });
export const listHomeworkQuery = z.strictObject({
  seriesId: seriesIdSchema.optional(),
  status: homeworkStatusSchema.optional(),
  owner: ownerSchema.optional(),
  overdue: z
    .enum(['true', 'false'], { message: 'must be true or false' })
    .transform((v) => v === 'true')
    .optional()
    .describe('true: only open items past due'),
  ...pageQuery,
});

const actorSchema = z.object({
  role: ownerSchema.nullable(),
  via: z.enum(['api', 'agenda-page']),
});
export type Actor = z.infer<typeof actorSchema>;

export const homeworkSchema = z
  .object({
    id: z.string(),
    seriesId: z.string(),
    occurrenceKey: z.string().describe('The occurrence it was assigned at'),
    title: z.string(),
    details: z.string(),
    owner: ownerSchema,
    due: z.string(),
    dueDefaulted: z.boolean().describe('Whether due is the default (one hour before the next occurrence)'),
    status: homeworkStatusSchema,
    overdue: z.boolean().describe('Open and past due'),
    statusChangedAt: z.string(),
    statusChangedBy: actorSchema,
    reviewedAt: z.string().nullable().describe('Key of the occurrence whose homework review closed it'),
    history: z.array(z.object({ status: homeworkStatusSchema, at: z.string(), by: actorSchema })),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Homework');
export type HomeworkView = z.infer<typeof homeworkSchema>;

export const occurrenceHomeworkSchema = z
  .object({
    review: z.array(homeworkSchema).describe('Homework from earlier meetings: open, or closed in this one'),
    assigned: z.array(homeworkSchema).describe('Homework assigned in this meeting'),
  })
  .openapi('OccurrenceHomework');
