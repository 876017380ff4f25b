import { contextLogger, type Logger } from '@cadence/shared/logging';
import type { ConnectionDoc } from '../../connections/models.js';
import type { OAuthProvider } from '../../connections/oauth-provider.js';
import type { SyncScheduler } from '../../sync/scheduler.js';
import { graphClient } from './graph-client.js';
import { identityUrl, MICROSOFT_SCOPES, type MicrosoftSettings } from './settings.js';
import type { MicrosoftSubscriptions } from './subscriptions.js';
import { requestTokens } from './tokens.js';

/** Microsoft's side of connecting an account: consent, code exchange, then subscribe and a first sync. */
export class MicrosoftOAuth implements OAuthProvider {
  readonly provider = 'microsoft' as const;

  constructor(
    private readonly settings: MicrosoftSettings,
    private readonly subscriptions: MicrosoftSubscriptions,
    private readonly scheduler: SyncScheduler,
    private readonly logger: Logger,
  ) {}

  consentUrl(state: string, loginHint: string): string {
    const url = new URL(identityUrl(this.settings, 'authorize'));
    url.search = new URLSearchParams({
      client_id: this.settings.MICROSOFT_CLIENT_ID,
      response_type: 'code',
      redirect_uri: this.redirectUri(),
      response_mode: 'query',
      scope: MICROSOFT_SCOPES.join(' '),
      state,
      login_hint: loginHint,
    }).toString();
    return url.toString();
  }

  async exchange(code: string) {
    const tokens = await requestTokens(this.settings, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.redirectUri(),
    });
    if (!tokens.refresh_token) throw new Error('Microsoft returned no refresh token (offline_access not granted)');
    // the account's own address, for people reading the connection; the calendar is its default one (/me)
    const me = (await graphClient(this.settings, (done) => done(null, tokens.access_token))
      .api('/me')
      .select('id,mail,userPrincipalName')
      .get()) as { id: string; mail?: string | null; userPrincipalName?: string };
    return {
      refreshToken: tokens.refresh_token,
      scope: tokens.scope ?? null,
      calendarId: me.id,
      accountEmail: me.mail ?? me.userPrincipalName ?? null,
    };
  }

  /**
   * A first (full) sync, then the subscription. A refused subscription (the validation handshake
   * failed) leaves the connection marked with the reason; the renewal worker tries again.
   */
  async connected(connection: ConnectionDoc): Promise<void> {
    await this.scheduler.resetCursor(connection._id);
    await this.scheduler.request(connection);
    try {
      await this.subscriptions.ensure(connection);
    } catch (err) {
      contextLogger(this.logger).warn({ err, connectionId: connection._id }, 'could not subscribe to Outlook changes');
    }
  }

  async disconnected(connection: ConnectionDoc, opts: { remote: boolean }): Promise<void> {
    await this.subscriptions.stopAll(connection, opts);
  }

  private redirectUri(): string {
    if (!this.settings.MICROSOFT_REDIRECT_URL) throw new Error('MICROSOFT_REDIRECT_URL is not set');
    return this.settings.MICROSOFT_REDIRECT_URL;
  }
}
