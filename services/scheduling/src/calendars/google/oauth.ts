import type { ConnectionDoc } from '../../connections/models.js';
import type { OAuthProvider } from '../../connections/oauth-provider.js';
import type { SyncScheduler } from '../../sync/scheduler.js';
import type { GoogleChannels } from './channels.js';
import { GOOGLE_SCOPES, googleOAuthClient, type GoogleSettings } from './client.js';

/** Google's side of connecting an account: consent, code exchange, then watch and first sync. */
export class GoogleOAuth implements OAuthProvider {
  readonly provider = 'google' as const;

  constructor(
    private readonly settings: GoogleSettings,
    private readonly channels: GoogleChannels,
    private readonly scheduler: SyncScheduler,
  ) {}

  consentUrl(state: string, loginHint: string): string {
    return googleOAuthClient(this.settings).generateAuthUrl({
      access_type: 'offline',
      // consent again on a reconnection: Google only returns a refresh token with a fresh consent
      prompt: 'consent',
      scope: GOOGLE_SCOPES,
      state,
      login_hint: loginHint,
      include_granted_scopes: false,
    });
  }

  async exchange(code: string) {
    const { tokens } = await googleOAuthClient(this.settings).getToken(code);
    if (!tokens.refresh_token) throw new Error('Google returned no refresh token');
    // `primary` is the account's own calendar; no profile scope is needed to address it
    return { refreshToken: tokens.refresh_token, scope: tokens.scope ?? null, calendarId: 'primary', accountEmail: null };
  }

  async connected(connection: ConnectionDoc): Promise<void> {
    await this.scheduler.resetCursor(connection._id);
    await this.scheduler.request(connection);
    await this.channels.ensure(connection);
  }

  async disconnected(connection: ConnectionDoc, opts: { remote: boolean }): Promise<void> {
    await this.channels.stopAll(connection, opts);
  }
}
