import { z } from '@cadence/shared/http';
import { timeZoneSchema } from '@cadence/shared/time';
import { pageQuery } from '@cadence/shared/http';

export const personIdSchema = z.string().regex(/^per_[0-9a-z]{21}$/, 'must be a person id (per_…)');
export const roleSchema = z.enum(['manager', 'rep']);

export const createPersonBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    email: z
      .email()
      .max(320)
      .transform((e) => e.toLowerCase()),
    timeZone: timeZoneSchema,
    roles: z
      .array(roleSchema)
      .min(1)
      .max(2)
      .refine((r) => new Set(r).size === r.length, { message: 'must not repeat a role' }),
  })
  .openapi('CreatePerson');

export const updatePersonBody = z
  .strictObject({
    name: createPersonBody.shape.name.optional(),
    timeZone: timeZoneSchema.optional(),
    roles: createPersonBody.shape.roles.optional(),
  })
  .openapi('UpdatePerson');

export const personSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    timeZone: z.string(),
    roles: z.array(roleSchema),
    calendarConnectionId: z.string().nullable(),
    hasFeed: z.boolean().describe('Whether a private iCalendar feed link is active'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Person');
export type PersonView = z.infer<typeof personSchema>;

export const personParams = z.strictObject({ id: personIdSchema });
export const listPeopleQuery = z.strictObject({ role: roleSchema.optional(), ...pageQuery });

export const feedSchema = z
  .object({ url: z.string().describe('Private iCalendar feed URL; shown only now'), personId: z.string() })
  .openapi('PersonFeed');
