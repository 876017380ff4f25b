import type { Router } from 'express';
import type { SecretBox } from '@cadence/shared/crypto/secret-box';
import type { ChangePipeline } from '../../changes/pipeline.js';
import type { SchedulingContext } from '../../context.js';
import type { SyncScheduler } from '../../sync/scheduler.js';
import { GoogleAccounts } from './accounts.js';
import { GoogleChannels } from './channels.js';
import type { GoogleSettings } from './client.js';
import { googleHooks } from './hooks.js';
import { GoogleOAuth } from './oauth.js';
import { GoogleCalendarProvider } from './provider.js';
import { GoogleSyncer } from './sync.js';

/** Everything Google, assembled once: the provider, its syncer, its channels and its consent flow. */
export function googleIntegration(
  settings: GoogleSettings,
  ctx: SchedulingContext,
  pipeline: ChangePipeline,
  scheduler: SyncScheduler,
  secrets: SecretBox,
) {
  const accounts = new GoogleAccounts(settings, ctx.models.Connections, secrets);
  const channels = new GoogleChannels(
    { Channels: ctx.models.Channels, Renewals: ctx.models.Renewals },
    accounts,
    ctx.logger,
    ctx.now,
  );
  return {
    accounts,
    channels,
    provider: new GoogleCalendarProvider(accounts),
    syncer: new GoogleSyncer(accounts, pipeline, ctx.logger, ctx.now),
    oauth: new GoogleOAuth(settings, channels, scheduler),
    hooks: (router: Router) => googleHooks(router, channels, scheduler),
    /** Opens or renews the channel of every active Google connection that needs it. */
    renewChannels: async () => {
      const active = await ctx.models.Connections.find({ provider: 'google', status: 'active' }).lean();
      for (const connection of active) await channels.ensure(connection);
    },
  };
}
export type GoogleIntegration = ReturnType<typeof googleIntegration>;
