import type { Client } from '@microsoft/microsoft-graph-client';
import type { Model } from 'mongoose';
import type { SecretBox } from '@cadence/shared/crypto/secret-box';
import { withDeadline } from '@cadence/shared/process';
import { activeConnection } from '../../connections/active.js';
import type { ConnectionDoc } from '../../connections/models.js';
import type { PersonDoc } from '../../people/models.js';
import { withGraphRetry } from './errors.js';
import { graphClient } from './graph-client.js';
import type { MicrosoftSettings } from './settings.js';
import { refreshTokens } from './tokens.js';

/** Refresh a little before Graph would refuse the token. */
const EARLY_MS = 5 * 60_000;

interface Account {
  /** Every sealed refresh token this client was built from or has stored since. */
  sealed: Set<string>;
  refreshToken: string;
  access: { token: string; expiresAt: number } | undefined;
  refreshing: Promise<string> | undefined;
  client: Client;
}

/**
 * Graph clients for connected accounts. One kept client per connection: its access token lives its
 * hour instead of being fetched per call, and concurrent calls share one refresh. Microsoft answers
 * a refresh with a new refresh token; it is stored sealed so the stored one never ages out.
 */
export class MicrosoftAccounts {
  private readonly accounts = new Map<string, Account>();

  constructor(
    readonly settings: MicrosoftSettings,
    private readonly Connections: Model<ConnectionDoc>,
    private readonly secrets: SecretBox,
    private readonly now: () => Date,
  ) {}

  client(connection: ConnectionDoc): Client {
    return this.account(connection).client;
  }

  /** A Graph call for this connection, retried; a 401 on the kept access token fetches a fresh one once. */
  call<T>(connection: ConnectionDoc, fn: (client: Client) => Promise<T>): Promise<T> {
    const account = this.account(connection);
    return withGraphRetry(() => fn(account.client), {
      onUnauthorized: () => {
        account.access = undefined;
      },
    });
  }

  private account(connection: ConnectionDoc): Account {
    const cached = this.accounts.get(connection._id);
    if (cached?.sealed.has(connection.refreshTokenSealed)) return cached;
    const account: Account = {
      sealed: new Set([connection.refreshTokenSealed]),
      refreshToken: this.secrets.open(connection.refreshTokenSealed, connection._id),
      access: undefined,
      refreshing: undefined,
      client: undefined as unknown as Client,
    };
    account.client = graphClient(this.settings, (done) => {
      this.accessToken(connection._id, account).then(
        (token) => done(null, token),
        (err: unknown) => done(err, null),
      );
    });
    this.accounts.set(connection._id, account);
    return account;
  }

  private accessToken(connectionId: string, account: Account): Promise<string> {
    if (account.access && account.access.expiresAt - EARLY_MS > this.now().getTime())
      return Promise.resolve(account.access.token);
    // every call of the account waits on one refresh: it must settle even if the token store never answers
    const ms = 2 * this.settings.MICROSOFT_REQUEST_TIMEOUT_MS;
    account.refreshing ??= withDeadline(
      this.refresh(connectionId, account),
      ms,
      () => new Error(`token refresh took over ${ms} ms`),
    ).finally(() => {
      account.refreshing = undefined;
    });
    return account.refreshing;
  }

  private async refresh(connectionId: string, account: Account): Promise<string> {
    const answer = await refreshTokens(this.settings, account.refreshToken);
    account.access = { token: answer.access_token, expiresAt: this.now().getTime() + answer.expires_in * 1000 };
    if (answer.refresh_token && answer.refresh_token !== account.refreshToken) {
      const sealed = this.secrets.seal(answer.refresh_token, connectionId);
      // both tokens stay valid, so a replica that stored another one meanwhile loses nothing
      await this.Connections.updateOne({ _id: connectionId, status: 'active' }, { $set: { refreshTokenSealed: sealed } });
      account.refreshToken = answer.refresh_token;
      account.sealed.add(sealed);
    }
    return answer.access_token;
  }

  /** The manager's active Microsoft connection, or a 400 naming the calendar field. */
  forManager(manager: PersonDoc): Promise<ConnectionDoc> {
    return activeConnection(this.Connections, manager, 'microsoft');
  }
}
