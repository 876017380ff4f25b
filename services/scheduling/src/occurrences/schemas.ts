import { z } from '@cadence/shared/http';
import { instantSchema, localDateSchema, occurrenceKeySchema } from '@cadence/shared/time';
import { seriesIdSchema } from '../series/schemas.js';
import { excuseKindSchema } from '@cadence/shared/contracts/scheduling';

export {
  cancellationSchema,
  changeSourceSchema,
  declineSchema,
  historyEntrySchema,
  modificationSchema,
  moveSchema,
  occurrenceSchema,
  occurrenceStateSchema,
  type Cancellation,
  type ChangeSource,
  type Decline,
  type Modification,
  type Move,
  type OccurrenceState,
  type OccurrenceView,
} from '@cadence/shared/contracts/scheduling';

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
