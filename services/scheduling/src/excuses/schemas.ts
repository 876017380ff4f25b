import { z } from '@cadence/shared/http';
import { instantSchema, localDateSchema } from '@cadence/shared/time';
import { pageQuery } from '@cadence/shared/http';
import { personIdSchema } from '../people/schemas.js';
import { excuseKindSchema } from '@cadence/shared/contracts/scheduling';

export { excuseKindSchema };

export const PERSON_EXCUSE_KINDS = ['vacation', 'sick', 'other'] as const;
export const ORGANIZATION_EXCUSE_KINDS = ['holiday', 'disaster', 'other'] as const;

const window = {
  reason: z.string().trim().max(500).optional(),
  fromDate: localDateSchema.optional().describe('First local date covered (inclusive)'),
  toDate: localDateSchema.optional().describe('Last local date covered (inclusive)'),
  from: instantSchema.optional().describe('Start instant (inclusive), instead of dates'),
  to: instantSchema.optional().describe('End instant (exclusive), instead of dates'),
};

export const createExcuseBody = z
  .discriminatedUnion('scope', [
    z.strictObject({ scope: z.literal('person'), personId: personIdSchema, kind: z.enum(PERSON_EXCUSE_KINDS), ...window }),
    z.strictObject({ scope: z.literal('organization'), kind: z.enum(ORGANIZATION_EXCUSE_KINDS), ...window }),
  ])
  .superRefine((b, ctx) => {
    const dates = b.fromDate !== undefined || b.toDate !== undefined;
    const instants = b.from !== undefined || b.to !== undefined;
    if (dates === instants) {
      ctx.addIssue({ code: 'custom', path: ['fromDate'], message: 'give either fromDate and toDate, or from and to' });
    } else if (dates) {
      if (!b.fromDate || !b.toDate)
        ctx.addIssue({ code: 'custom', path: [b.fromDate ? 'toDate' : 'fromDate'], message: 'is required with the other date' });
      else if (b.toDate < b.fromDate) ctx.addIssue({ code: 'custom', path: ['toDate'], message: 'must not be before fromDate' });
    } else if (!b.from || !b.to) {
      ctx.addIssue({ code: 'custom', path: [b.from ? 'to' : 'from'], message: 'is required with the other instant' });
    } else if (new Date(b.to) <= new Date(b.from)) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    }
  })
  .openapi('CreateExcuse');

export const excuseSchema = z
  .object({
    id: z.string(),
    scope: z.enum(['person', 'organization']),
    personId: z.string().nullable(),
    kind: excuseKindSchema,
    reason: z.string().nullable(),
    fromDate: z.string().nullable(),
    toDate: z.string().nullable(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Excuse');
export type ExcuseView = z.infer<typeof excuseSchema>;

export const excuseParams = z.strictObject({ id: z.string().regex(/^exc_[0-9a-z]{21}$/, 'must be an excuse id (exc_…)') });
export const listExcusesQuery = z.strictObject({ personId: personIdSchema.optional(), ...pageQuery });
