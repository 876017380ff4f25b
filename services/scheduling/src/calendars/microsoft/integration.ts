import type { Router } from 'express';
import type { SecretBox } from '@cadence/shared/crypto/secret-box';
import type { ChangePipeline } from '../../changes/pipeline.js';
import type { SchedulingContext } from '../../context.js';
import type { SyncScheduler } from '../../sync/scheduler.js';
import { MicrosoftAccounts } from './accounts.js';
import { DeltaApplier } from './apply.js';
import { microsoftHooks } from './hooks.js';
import { microsoftItemModel } from './items.js';
import { MicrosoftOAuth } from './oauth.js';
import { MicrosoftCalendarProvider } from './provider.js';
import type { MicrosoftSettings } from './settings.js';
import { MicrosoftSubscriptions, subscriptionModels } from './subscriptions.js';
import { MicrosoftSyncer } from './sync.js';

/** Everything Outlook, assembled once: the provider, its syncer, its subscriptions and its consent flow. */
export function microsoftIntegration(
  settings: MicrosoftSettings,
  ctx: SchedulingContext,
  pipeline: ChangePipeline,
  scheduler: SyncScheduler,
  secrets: SecretBox,
) {
  // the models live on the scheduling connection, registered here so nothing else needs to know them
  const conn = ctx.models.Connections.db;
  const Items = microsoftItemModel(conn);
  const accounts = new MicrosoftAccounts(settings, ctx.models.Connections, secrets, ctx.now);
  const subscriptions = new MicrosoftSubscriptions(
    subscriptionModels(conn),
    ctx.models.Connections,
    accounts,
    ctx.logger,
    ctx.now,
  );
  return {
    accounts,
    subscriptions,
    items: Items,
    provider: new MicrosoftCalendarProvider(accounts, Items, ctx.now),
    syncer: new MicrosoftSyncer(
      accounts,
      new DeltaApplier(accounts, pipeline, Items, ctx.models.Series, ctx.now),
      Items,
      ctx.now,
    ),
    oauth: new MicrosoftOAuth(settings, subscriptions, scheduler, ctx.logger),
    hooks: (router: Router) =>
      microsoftHooks(router, { subscriptions, scheduler, Connections: ctx.models.Connections, logger: ctx.logger }),
    /** Creates or renews the subscription of every active Microsoft connection that needs it. */
    renewSubscriptions: async () => {
      const active = await ctx.models.Connections.find({ provider: 'microsoft', status: 'active' }).lean();
      for (const connection of active) {
        await subscriptions.ensure(connection).catch((err: unknown) => {
          ctx.logger.warn({ err, connectionId: connection._id }, 'could not renew an Outlook subscription');
        });
      }
    },
  };
}
export type MicrosoftIntegration = ReturnType<typeof microsoftIntegration>;
