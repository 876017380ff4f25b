import type { Router } from 'express';
import { contextLogger, type Logger } from '@cadence/shared/logging';
import { HttpProblem, sendProblem } from '@cadence/shared/http';
import type { Model } from 'mongoose';
import type { ConnectionDoc } from '../../connections/models.js';
import type { SyncScheduler } from '../../sync/scheduler.js';
import type { MicrosoftSubscriptions, SubscriptionDoc } from './subscriptions.js';

interface Notification {
  subscriptionId?: unknown;
  clientState?: unknown;
  lifecycleEvent?: unknown;
  changeType?: unknown;
}

/**
 * `POST /hooks/microsoft`: Graph's change and lifecycle notifications (one URL for both).
 * - `?validationToken=…` (the handshake before a subscription is made): echoed as text/plain, 200.
 * - a notification batch: 202 at once (Graph allows 3 s), then each entry whose subscription id and
 *   clientState match is handled; others change nothing. A change schedules a (coalesced) sync;
 *   `missed` too; `subscriptionRemoved` subscribes again; `reauthorizationRequired` renews.
 */
export function microsoftHooks(
  router: Router,
  deps: {
    subscriptions: MicrosoftSubscriptions;
    scheduler: SyncScheduler;
    Connections: Model<ConnectionDoc>;
    logger: Logger;
  },
): void {
  const handle = async (n: Notification) => {
    const sub = await deps.subscriptions.verify(n.subscriptionId, n.clientState);
    if (!sub) {
      contextLogger(deps.logger).info(
        { subscriptionId: String(n.subscriptionId).slice(0, 64) },
        'ignored a Graph notification with an unknown subscription or clientState',
      );
      return;
    }
    const request = () =>
      deps.scheduler.request({ _id: sub.connectionId, organizationId: sub.organizationId, provider: 'microsoft' });
    if (n.lifecycleEvent === undefined || n.lifecycleEvent === 'missed') return request();
    const connection = await deps.Connections.findOne({ _id: sub.connectionId, status: 'active' }).lean();
    if (!connection) return;
    if (n.lifecycleEvent === 'subscriptionRemoved') {
      await deps.subscriptions.removed(connection, sub._id);
      // changes may have happened while nothing was subscribed
      return request();
    }
    if (n.lifecycleEvent === 'reauthorizationRequired') await renewOrReplace(deps.subscriptions, connection, sub);
  };

  router.post('/hooks/microsoft', (req, res) => {
    const token = req.query['validationToken'];
    if (typeof token === 'string') {
      res.status(200).type('text/plain').send(token);
      return;
    }
    const value = (req.body as { value?: unknown } | undefined)?.value;
    if (!Array.isArray(value)) return sendProblem(res, new HttpProblem(400, { detail: 'Not a Graph notification.' }));
    res.status(202).end();
    void (async () => {
      for (const n of value.slice(0, 1000) as Notification[]) {
        if (typeof n !== 'object' || n === null) continue;
        await handle(n).catch((err: unknown) =>
          contextLogger(deps.logger).error({ err }, 'could not handle a Graph notification; the reconcile will catch up'),
        );
      }
    })();
  });
}

async function renewOrReplace(subscriptions: MicrosoftSubscriptions, connection: ConnectionDoc, sub: SubscriptionDoc) {
  if (!(await subscriptions.renew(connection, sub))) await subscriptions.ensure(connection);
}
