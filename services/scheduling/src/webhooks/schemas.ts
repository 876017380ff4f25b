import { z } from '@cadence/shared/http';
import { pageQuery } from '@cadence/shared/http';
import { filterProblem } from './event-types.js';
import { DELIVERY_STATUSES, DISABLED_REASONS, SUBSCRIPTION_STATUSES } from './models.js';

export const webhookIdSchema = z.string().regex(/^whk_[0-9a-z]{21}$/, 'must be a webhook id (whk_…)');
export const deliveryIdSchema = z.string().regex(/^dlv_[0-9a-z]{23}$/, 'must be a delivery id (dlv_…)');

const urlSchema = z
  .url({ protocol: /^https?$/, message: 'must be an https URL' })
  .max(2048)
  .describe('Where events are POSTed: https (http only to loopback in development)');

const eventTypeFilter = z
  .string()
  .max(100)
  .superRefine((filter, ctx) => {
    const problem = filterProblem(filter);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const eventTypesSchema = z
  .array(eventTypeFilter)
  .min(1, 'give at least one event type')
  .max(50)
  .refine((types) => new Set(types).size === types.length, { message: 'must not repeat an event type' })
  .describe('Exact event types (`occurrence.cancelled`), prefixes (`occurrence.*`) or `*` for every event');

const descriptionSchema = z.string().trim().max(500);

export const createWebhookBody = z
  .strictObject({ url: urlSchema, eventTypes: eventTypesSchema, description: descriptionSchema.optional() })
  .openapi('CreateWebhook');

export const updateWebhookBody = z
  .strictObject({
    url: urlSchema.optional(),
    eventTypes: eventTypesSchema.optional(),
    description: descriptionSchema.nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' })
  .openapi('UpdateWebhook');
export type UpdateWebhookInput = z.output<typeof updateWebhookBody>;

export const webhookSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string().nullable(),
    eventTypes: z.array(z.string()),
    status: z.enum(SUBSCRIPTION_STATUSES),
    disabledReason: z
      .enum(DISABLED_REASONS)
      .nullable()
      .describe('manual; gone (the receiver answered 410); failing (every attempt failed for the configured window)'),
    disabledAt: z.string().nullable(),
    failingSince: z.string().nullable().describe('First failed attempt since the last success'),
    previousSecretExpiresAt: z.string().nullable().describe('During a rotation: when the old secret stops signing'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Webhook');
export type WebhookView = z.infer<typeof webhookSchema>;

export const webhookWithSecretSchema = webhookSchema
  .extend({ secret: z.string().describe('The signing secret (`whsec_…`); shown only now') })
  .openapi('WebhookWithSecret');

export const rotatedSecretSchema = z
  .object({
    secret: z.string().describe('The new signing secret; shown only now'),
    previousSecretExpiresAt: z.string().describe('Until then the old secret signs too (both signatures are sent)'),
  })
  .openapi('RotatedWebhookSecret');

export const attemptSchema = z
  .object({
    at: z.string(),
    durationMs: z.number(),
    responseStatus: z.number().nullable().describe('null when no answer came'),
    error: z.string().nullable().describe('timeout, connection refused, …'),
    responseBody: z.string().nullable().describe('The start of the answer'),
  })
  .openapi('WebhookAttempt');

export const deliverySchema = z
  .object({
    id: z.string(),
    webhookId: z.string(),
    eventId: z.string().describe('Sent as `webhook-id`, the same on every attempt'),
    eventType: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attemptCount: z.number().int(),
    attempts: z.array(attemptSchema),
    nextAttemptAt: z.string().nullable(),
    failureReason: z.string().nullable(),
    succeededAt: z.string().nullable(),
    failedAt: z.string().nullable(),
    replayedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('WebhookDelivery');
export type DeliveryView = z.infer<typeof deliverySchema>;

export const webhookParams = z.strictObject({ id: webhookIdSchema });
export const deliveryParams = z.strictObject({ id: webhookIdSchema, deliveryId: deliveryIdSchema });
export const listWebhooksQuery = z.strictObject({ status: z.enum(SUBSCRIPTION_STATUSES).optional(), ...pageQuery });
export const listDeliveriesQuery = z.strictObject({ status: z.enum(DELIVERY_STATUSES).optional(), ...pageQuery });
