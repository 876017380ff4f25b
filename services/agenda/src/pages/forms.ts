import { DateTime } from 'luxon';
import { z } from '@cadence/shared/http';
import { occurrenceKeySchema } from '@cadence/shared/time';
import { amount, count } from '../agendas/schemas.js';
import { homeworkIdSchema, homeworkStatusSchema, ownerSchema } from '../homework/schemas.js';

/** An optional number typed into a form: empty clears it; thousands separators are allowed. */
const formNumber = (inner: z.ZodNumber) =>
  z
    .string()
    .trim()
    .max(30)
    .transform((v, ctx) => {
      if (v === '') return null;
      const n = Number(v.replace(/[,\s]/g, ''));
      if (Number.isNaN(n)) {
        ctx.addIssue({ code: 'custom', message: 'must be a number' });
        return z.NEVER;
      }
      return n;
    })
    .pipe(inner.nullable());

const base = { occurrence: occurrenceKeySchema };

/** What the agenda page's forms post; `intent` says which form it was. */
export const pageForm = z.discriminatedUnion(
  'intent',
  [
    z.object({ intent: z.literal('cover'), ...base, item: z.string().min(1).max(20), covered: z.enum(['true', 'false']) }),
    z.object({ intent: z.literal('item-note'), ...base, item: z.string().min(1).max(20), note: z.string().max(5_000) }),
    z.object({ intent: z.literal('notes'), ...base, notes: z.string().max(20_000) }),
    z.object({
      intent: z.literal('figures'),
      ...base,
      calls: formNumber(count),
      meetings: formNumber(count),
      dealsClosed: formNumber(count),
      pipelineAmount: formNumber(amount),
      forecastAmount: formNumber(amount),
    }),
    z.object({
      intent: z.literal('homework-add'),
      ...base,
      title: z.string().trim().min(1, 'must not be empty').max(200),
      details: z.string().trim().max(5_000).default(''),
      owner: ownerSchema,
      due: z
        .string()
        .trim()
        .regex(/^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})?$/, 'must be a date and time')
        .default('')
        .describe('datetime-local, in the series’ time zone; empty: the default'),
    }),
    z.object({
      intent: z.literal('homework-status'),
      ...base,
      homework: homeworkIdSchema,
      status: homeworkStatusSchema,
      changedBy: z.union([ownerSchema, z.literal('')]).default(''),
    }),
  ],
  { message: 'must be one of the agenda page’s forms' },
);
export type PageForm = z.output<typeof pageForm>;

/** A `datetime-local` value read in the series' time zone; undefined when empty or not a real time. */
export function localDueToInstant(value: string, timeZone: string): string | undefined {
  if (!value) return undefined;
  const dt = DateTime.fromISO(value, { zone: timeZone });
  return dt.isValid ? dt.toUTC().toISO()! : undefined;
}
