import { z } from '@cadence/shared/http';
import { instantSchema, localDateSchema, occurrenceKeySchema } from '@cadence/shared/time';
import { excuseKindSchema } from '../excuses/schemas.js';
import { seriesIdSchema } from '../series/schemas.js';

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

export const occurrenceParams = z.strictObject({ id: seriesIdSchema, key: occurrenceKeySchema });
export const listOccurrencesQuery = z.strictObject({
  from: z
    .union([instantSchema, localDateSchema])
    .optional()
    .describe('Start of the range (instant, or local date in the series zone); default 4 weeks ago'),
  to: z
    .union([instantSchema, localDateSchema])
    .optional()
    .describe('End of the range, exclusive; default 8 weeks ahead; at most 2 years after from'),
});
export const excuseOccurrenceBody = z
  .strictObject({ reason: z.string().trim().min(1).max(500), kind: excuseKindSchema.default('other') })
  .openapi('ExcuseOccurrence');
