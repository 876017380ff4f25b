import { z } from '@cadence/shared/http';
import { pageQuery } from '@cadence/shared/http';

export const templateIdSchema = z.string().regex(/^(standard|tpl_[0-9a-z]{21})$/, 'must be a template id (tpl_…) or standard');
export const seriesIdSchema = z.string().regex(/^ser_[0-9a-z]{21}$/, 'must be a series id (ser_…)');

const itemInput = z.strictObject({
  title: z.string().trim().min(1).max(200),
  guidance: z.string().trim().max(2000).default(''),
  minutes: z.number().int('must be whole minutes').min(1, 'must be at least 1 minute').max(180),
});

/** Why time boxes do not fit a meeting, or undefined when they add up exactly. */
export function timeBoxMismatch(total: number, durationMinutes: number): string | undefined {
  if (total === durationMinutes) return undefined;
  const diff = Math.abs(total - durationMinutes);
  return `the time boxes add up to ${total} minutes: ${diff} ${total < durationMinutes ? 'short of' : 'over'} the ${durationMinutes}-minute meeting`;
}

export const templateBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    durationMinutes: z
      .number()
      .int()
      .min(15, 'must be at least 15 minutes')
      .max(180, 'must be at most 180 minutes')
      .default(60)
      .describe('The meeting length the time boxes must add up to; it must match the series that use it'),
    items: z.array(itemInput).min(1, 'must have at least one item').max(30, 'must have at most 30 items'),
  })
  .superRefine((b, ctx) => {
    const mismatch = timeBoxMismatch(
      b.items.reduce((sum, i) => sum + i.minutes, 0),
      b.durationMinutes,
    );
    if (mismatch) ctx.addIssue({ code: 'custom', path: ['items'], message: mismatch });
  })
  .openapi('AgendaTemplateInput');
export type TemplateInput = z.output<typeof templateBody>;

export const templateItemSchema = z.object({ id: z.string(), title: z.string(), guidance: z.string(), minutes: z.number() });
export type TemplateItem = z.infer<typeof templateItemSchema>;

export const templateSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    builtIn: z.boolean().describe('The standard template: the same for every organization, read-only'),
    version: z.number().int().describe('Bumped by every change; made agendas keep the version they were made from'),
    durationMinutes: z.number(),
    items: z.array(templateItemSchema),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('AgendaTemplate');
export type TemplateView = z.infer<typeof templateSchema>;

export const templateParams = z.strictObject({ id: templateIdSchema });
export const templateVersionParams = z.strictObject({ id: templateIdSchema, version: z.coerce.number().int().min(1) });
export const listTemplatesQuery = z.strictObject({ ...pageQuery });

export const seriesParams = z.strictObject({ seriesId: seriesIdSchema });
export const seriesTemplateBody = z.strictObject({ templateId: templateIdSchema }).openapi('SeriesTemplateChoice');
export const seriesTemplateSchema = z
  .object({ seriesId: z.string(), template: templateSchema.describe('The current version of the chosen template') })
  .openapi('SeriesTemplate');
