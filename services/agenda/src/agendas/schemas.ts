import { z } from '@cadence/shared/http';
import { occurrenceKeySchema } from '@cadence/shared/time';
import { homeworkSchema } from '../homework/schemas.js';
import { seriesIdSchema } from '../templates/schemas.js';

export const occurrenceParams = z.strictObject({ seriesId: seriesIdSchema, key: occurrenceKeySchema });

/** Activity counts and amounts, shared by the API and the page's form. */
export const count = z.number().int('must be a whole number').min(0, 'must not be negative').max(1_000_000);
export const amount = z.number().min(0, 'must not be negative').max(1e13, 'is too large');

/** The rep's figures for the week; a field set to null is cleared, a missing one is kept. */
export const figuresInput = z
  .strictObject({
    calls: count.nullable().optional(),
    meetings: count.nullable().optional(),
    dealsClosed: count.nullable().optional(),
    pipelineAmount: amount.nullable().optional().describe('Open pipeline value at the end of the week'),
    forecastAmount: amount.nullable().optional().describe('Forecast value for the period'),
  })
  .openapi('FiguresInput');
export type FiguresInput = z.output<typeof figuresInput>;

export const updateAgendaBody = z
  .strictObject({
    notes: z.string().max(20_000).optional().describe('Meeting notes'),
    items: z
      .array(
        z.strictObject({
          id: z.string().min(1).max(20),
          covered: z.boolean().optional(),
          note: z.string().max(5_000).optional(),
        }),
      )
      .max(30)
      .optional(),
    figures: figuresInput.optional(),
  })
  .refine((b) => b.notes !== undefined || b.items !== undefined || b.figures !== undefined, {
    message: 'give notes, items or figures',
  })
  .openapi('UpdateAgenda');
export type UpdateAgendaInput = z.output<typeof updateAgendaBody>;

const person = z.object({ id: z.string(), name: z.string(), email: z.string() });

export const figuresSchema = z.object({
  calls: z.number().nullable(),
  meetings: z.number().nullable(),
  dealsClosed: z.number().nullable(),
  pipelineAmount: z.number().nullable(),
  forecastAmount: z.number().nullable(),
  salesCallsPerDealClosed: z.number().nullable().describe('calls / dealsClosed, when both are known and deals > 0'),
});
export type Figures = z.infer<typeof figuresSchema>;

export const agendaSchema = z
  .object({
    seriesId: z.string(),
    occurrenceKey: z.string(),
    occurrence: z.object({
      state: z.string(),
      start: z.string(),
      end: z.string(),
      startLocal: z.string(),
      endLocal: z.string(),
      timeZone: z.string(),
      location: z.string().nullable(),
      durationMinutes: z.number(),
    }),
    series: z.object({ manager: person, rep: person, weekday: z.string(), startTime: z.string(), timeZone: z.string() }),
    template: z.object({ id: z.string(), version: z.number(), name: z.string() }),
    items: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        guidance: z.string(),
        minutes: z.number(),
        covered: z.boolean(),
        coveredAt: z.string().nullable(),
        note: z.string(),
      }),
    ),
    plannedMinutes: z.number().describe('Sum of the time boxes'),
    notes: z.string(),
    figures: figuresSchema,
    readOnly: z.boolean().describe('A cancelled occurrence’s agenda cannot change'),
    rolledOverTo: z
      .object({ occurrenceKey: z.string(), start: z.string() })
      .nullable()
      .describe('For a cancelled occurrence: the next one, where its open items go'),
    homeworkReview: z.array(homeworkSchema),
    newHomework: z.array(homeworkSchema),
    revision: z.number().int().describe('Bumped by every change'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('OccurrenceAgenda');
export type AgendaView = z.infer<typeof agendaSchema>;
