import type { ApiRouter } from '@cadence/shared/http';
import { organizationOf } from '../organizations/authenticate.js';
import { pageSchema } from '@cadence/shared/http';
import {
  createWebhookBody,
  deliveryParams,
  deliverySchema,
  listDeliveriesQuery,
  listWebhooksQuery,
  rotatedSecretSchema,
  updateWebhookBody,
  webhookParams,
  webhookSchema,
  webhookWithSecretSchema,
} from './schemas.js';
import { deliveryView, type WebhookService } from './service.js';

/** `/v1/webhooks`: subscriptions to Cadence's events, their signing secrets and delivery logs. */
export function webhookRoutes(api: ApiRouter, service: WebhookService) {
  const tags = ['Webhooks'];
  const one = { request: { params: webhookParams }, errors: [404] };
  api
    .route(
      {
        method: 'post',
        path: '/v1/webhooks',
        summary: 'Subscribe a URL to events; the signing secret is shown only in this answer',
        tags,
        request: { body: createWebhookBody },
        responses: { 201: { description: 'Created', schema: webhookWithSecretSchema } },
      },
      ({ body }, req) => service.create(organizationOf(req), body),
    )
    .route(
      {
        method: 'get',
        path: '/v1/webhooks',
        summary: 'List webhooks',
        tags,
        request: { query: listWebhooksQuery },
        responses: { 200: { description: 'A page of webhooks', schema: pageSchema(webhookSchema) } },
      },
      ({ query }, req) => service.list(organizationOf(req), query),
    )
    .route(
      {
        ...one,
        method: 'get',
        path: '/v1/webhooks/:id',
        summary: 'Get a webhook',
        tags,
        responses: { 200: { description: 'The webhook', schema: webhookSchema } },
      },
      ({ params }, req) => service.view(organizationOf(req), params.id),
    )
    .route(
      {
        method: 'patch',
        path: '/v1/webhooks/:id',
        summary: 'Change the URL, event types or description',
        tags,
        request: { params: webhookParams, body: updateWebhookBody },
        responses: { 200: { description: 'The webhook', schema: webhookSchema } },
        errors: [404],
      },
      ({ params, body }, req) => service.update(organizationOf(req), params.id, body),
    )
    .route(
      {
        ...one,
        method: 'post',
        path: '/v1/webhooks/:id/disable',
        summary: 'Stop sending; queued deliveries wait and new events are not queued',
        tags,
        responses: { 200: { description: 'The webhook', schema: webhookSchema } },
      },
      ({ params }, req) => service.setEnabled(organizationOf(req), params.id, false),
    )
    .route(
      {
        ...one,
        method: 'post',
        path: '/v1/webhooks/:id/enable',
        summary: 'Send again (also after Cadence disabled it); queued deliveries resume',
        tags,
        responses: { 200: { description: 'The webhook', schema: webhookSchema } },
      },
      ({ params }, req) => service.setEnabled(organizationOf(req), params.id, true),
    )
    .route(
      {
        ...one,
        method: 'delete',
        path: '/v1/webhooks/:id',
        summary: 'Delete a webhook and its delivery log',
        tags,
        responses: { 204: { description: 'Deleted' } },
      },
      async ({ params }, req, res) => {
        await service.remove(organizationOf(req), params.id);
        res.status(204).end();
      },
    )
    .route(
      {
        ...one,
        method: 'post',
        path: '/v1/webhooks/:id/rotate-secret',
        summary: 'New signing secret; for 24 hours both the old and the new one sign every delivery',
        tags,
        responses: { 201: { description: 'The new secret, shown only now', schema: rotatedSecretSchema } },
        errors: [404, 409],
      },
      ({ params }, req) => service.rotateSecret(organizationOf(req), params.id),
    )
    .route(
      {
        ...one,
        method: 'post',
        path: '/v1/webhooks/:id/test',
        summary: 'Send a `webhook.test` event to this webhook',
        tags,
        responses: { 202: { description: 'Queued', schema: deliverySchema } },
        errors: [404, 409],
      },
      ({ params }, req) => service.sendTest(organizationOf(req), params.id),
    )
    .route(
      {
        method: 'get',
        path: '/v1/webhooks/:id/deliveries',
        summary:
          'The delivery log, newest event first: status, every attempt with its answer, the next attempt (kept WEBHOOK_RETENTION, 30 days by default)',
        tags,
        request: { params: webhookParams, query: listDeliveriesQuery },
        responses: { 200: { description: 'A page of deliveries', schema: pageSchema(deliverySchema) } },
        errors: [404],
      },
      ({ params, query }, req) => service.deliveries(organizationOf(req), params.id, query),
    )
    .route(
      {
        method: 'get',
        path: '/v1/webhooks/:id/deliveries/:deliveryId',
        summary: 'One delivery',
        tags,
        request: { params: deliveryParams },
        responses: { 200: { description: 'The delivery', schema: deliverySchema } },
        errors: [404],
      },
      async ({ params }, req) => deliveryView(await service.delivery(organizationOf(req), params.id, params.deliveryId)),
    )
    .route(
      {
        method: 'post',
        path: '/v1/webhooks/:id/deliveries/:deliveryId/replay',
        summary:
          'Send an ended delivery again (same `webhook-id`), from the start of the retry schedule; 409 once its event is past retention',
        tags,
        request: { params: deliveryParams },
        responses: { 202: { description: 'Queued again', schema: deliverySchema } },
        errors: [404, 409],
      },
      ({ params }, req) => service.replay(organizationOf(req), params.id, params.deliveryId),
    );
}
