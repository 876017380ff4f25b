import type { Router } from 'express';
import { HttpProblem, sendProblem } from '@cadence/shared/http';
import type { SyncScheduler } from '../../sync/scheduler.js';
import type { GoogleChannels } from './channels.js';

/**
 * `POST /hooks/google`: Google's push notifications. The body is empty; the headers name the
 * channel and carry its token. Known channels get a sync scheduled (a burst coalesces into one)
 * and a fast 200; unknown channels or wrong tokens get 404 and change nothing. An error (database
 * down) answers 5xx, which Google retries.
 */
export function googleHooks(router: Router, channels: GoogleChannels, scheduler: SyncScheduler): void {
  router.post('/hooks/google', (req, res, next) => {
    const channelId = req.get('x-goog-channel-id');
    const state = req.get('x-goog-resource-state');
    if (!channelId || !state) return sendProblem(res, new HttpProblem(400, { detail: 'Not a Google push notification.' }));
    channels
      .verify(channelId, req.get('x-goog-channel-token'), req.get('x-goog-resource-id'))
      .then(async (channel) => {
        if (!channel) return sendProblem(res, new HttpProblem(404, { detail: 'Unknown channel.' }));
        // `sync` only confirms the channel; the connection was synced when it was made
        if (state !== 'sync')
          await scheduler.request({ _id: channel.connectionId, organizationId: channel.organizationId, provider: 'google' });
        res.status(200).end();
      })
      .catch(next);
  });
}
