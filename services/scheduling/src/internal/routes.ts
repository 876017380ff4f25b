import type { ApiRouter } from '@cadence/shared/http';
import type { SchedulingContext } from '../context.js';
import { internalAuth } from './auth.js';
import { publishEvent } from './publish.js';
import { publishEventBody, publishedEventSchema } from './schemas.js';

/**
 * `/internal/v1/...`: for Cadence's own services, not customers (the agenda service publishes its
 * events here so one webhook system serves both). Authenticated with `X-Internal-Token`.
 */
export function internalRoutes(api: ApiRouter, ctx: SchedulingContext, token: string | undefined) {
  api.route(
    {
      method: 'post',
      path: '/internal/v1/events',
      summary:
        'Internal (agenda service only, not for customers): publish an event to webhooks. Requires the `X-Internal-Token` header.',
      tags: ['Internal'],
      auth: false,
      before: [internalAuth(token)],
      request: { body: publishEventBody },
      responses: { 202: { description: 'Written to the outbox (or already there)', schema: publishedEventSchema } },
      errors: [401, 409],
    },
    (input) => publishEvent(ctx, input.body),
  );
}
