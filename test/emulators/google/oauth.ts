import { createHash, randomBytes } from 'node:crypto';
import { errors, OAuthError } from './errors.js';
import type { Instant } from './time.js';

/**
 * Google's OAuth 2.0 for an installed/web app: consent (auto-approved for a known account),
 * the authorization-code and refresh-token grants, revocation, and bearer checks for the API.
 * Refresh tokens come back from a code exchange only for `access_type=offline`, and only on the
 * first consent unless `prompt=consent`, as with the real server.
 */

export const SCOPES = {
  calendar: 'https://www.googleapis.com/auth/calendar',
  events: 'https://www.googleapis.com/auth/calendar.events',
  eventsOwned: 'https://www.googleapis.com/auth/calendar.events.owned',
  readonly: 'https://www.googleapis.com/auth/calendar.readonly',
  eventsReadonly: 'https://www.googleapis.com/auth/calendar.events.readonly',
} as const;

const WRITE_SCOPES: string[] = [SCOPES.calendar, SCOPES.events, SCOPES.eventsOwned];
const READ_SCOPES: string[] = [...WRITE_SCOPES, SCOPES.readonly, SCOPES.eventsReadonly];

export const ACCESS_TOKEN_LIFETIME_S = 3599;
const CODE_LIFETIME_MS = 10 * 60 * 1000;

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  /** when set, consent refuses other redirect URIs (`redirect_uri_mismatch`) */
  redirectUris?: string[];
}

interface RefreshGrant {
  email: string;
  clientId: string;
  scope: string;
  revoked: boolean;
}

export interface AccessGrant {
  token: string;
  email: string;
  clientId: string;
  scopes: string[];
  expiresAt: Instant;
  refreshToken?: string;
  revoked: boolean;
}

interface AuthCode {
  email: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  expiresAt: Instant;
  used: boolean;
  offline: boolean;
  forceConsent: boolean;
  challenge?: { value: string; method: string };
}

export type Form = Record<string, string | undefined>;

const token = (prefix: string, bytes = 32) => `${prefix}${randomBytes(bytes).toString('base64url')}`;

export class OAuthService {
  private readonly clients = new Map<string, OAuthClient>();
  private readonly accounts = new Set<string>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private readonly accessTokens = new Map<string, AccessGrant>();
  private readonly codes = new Map<string, AuthCode>();
  /** (account, client) pairs that already consented once */
  private readonly consented = new Set<string>();
  consentDecision: 'approve' | 'deny' = 'approve';

  constructor(
    private readonly now: () => Instant,
    readonly defaultClient: OAuthClient,
  ) {
    this.registerClient(defaultClient);
  }

  registerClient(client: OAuthClient): void {
    this.clients.set(client.clientId, client);
  }

  addAccount(email: string): void {
    this.accounts.add(email);
  }

  hasAccount(email: string): boolean {
    return this.accounts.has(email);
  }

  /**
   * A refresh token for tests that skip the consent screen. It does not count as a consent, so the
   * app's first real code flow for this account still gets a refresh token, as a new user's would.
   */
  issueRefreshToken(email: string, clientId: string, scope: string): string {
    const refresh = token('1//', 36);
    this.refreshTokens.set(refresh, { email, clientId, scope, revoked: false });
    return refresh;
  }

  /** A ready access token, for tests that skip the token endpoint. */
  issueAccessToken(email: string, clientId: string, scope: string, refreshToken?: string): AccessGrant {
    const grant: AccessGrant = {
      token: token('ya29.', 48),
      email,
      clientId,
      scopes: scope.split(/\s+/).filter(Boolean),
      expiresAt: this.now() + ACCESS_TOKEN_LIFETIME_S * 1000,
      refreshToken,
      revoked: false,
    };
    this.accessTokens.set(grant.token, grant);
    return grant;
  }

  /** Revokes a refresh token (and the access tokens minted from it) or a single access token. */
  revoke(value: string): boolean {
    const refresh = this.refreshTokens.get(value);
    if (refresh) {
      refresh.revoked = true;
      for (const grant of this.accessTokens.values()) if (grant.refreshToken === value) grant.revoked = true;
      return true;
    }
    const access = this.accessTokens.get(value);
    if (access) {
      access.revoked = true;
      if (access.refreshToken) return this.revoke(access.refreshToken);
      return true;
    }
    return false;
  }

  /** The consent screen: returns where the browser is sent next. */
  authorize(query: Form): URL {
    const client = query.client_id ? this.clients.get(query.client_id) : undefined;
    if (!client) throw new OAuthError(401, 'invalid_client', 'The OAuth client was not found.');
    if (!query.redirect_uri) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: redirect_uri');
    if (client.redirectUris && !client.redirectUris.includes(query.redirect_uri)) {
      throw new OAuthError(
        400,
        'redirect_uri_mismatch',
        `The redirect URI in the request, ${query.redirect_uri}, does not match the ones authorized for the OAuth client.`,
      );
    }
    let redirect: URL;
    try {
      redirect = new URL(query.redirect_uri);
    } catch {
      throw new OAuthError(400, 'invalid_request', 'Invalid parameter value for redirect_uri');
    }
    if (query.response_type !== 'code')
      throw new OAuthError(400, 'unsupported_response_type', `Invalid response_type: ${query.response_type ?? ''}`);
    if (!query.scope) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: scope');
    const email = this.pickAccount(query.login_hint);
    if (query.state !== undefined) redirect.searchParams.set('state', query.state);
    if (this.consentDecision === 'deny') {
      redirect.searchParams.set('error', 'access_denied');
      return redirect;
    }
    const code = token('4/0', 40);
    this.codes.set(code, {
      email,
      clientId: client.clientId,
      redirectUri: query.redirect_uri,
      scope: query.scope,
      expiresAt: this.now() + CODE_LIFETIME_MS,
      used: false,
      offline: query.access_type === 'offline',
      forceConsent: (query.prompt ?? '').split(/\s+/).includes('consent'),
      challenge: query.code_challenge
        ? { value: query.code_challenge, method: query.code_challenge_method ?? 'plain' }
        : undefined,
    });
    redirect.searchParams.set('code', code);
    redirect.searchParams.set('scope', query.scope);
    return redirect;
  }

  private pickAccount(hint: string | undefined): string {
    if (hint) {
      const email = hint.toLowerCase();
      if (!this.accounts.has(email))
        throw new OAuthError(400, 'invalid_request', `emulator: no account ${hint}; add it with addAccount first`);
      return email;
    }
    if (this.accounts.size !== 1)
      throw new OAuthError(400, 'invalid_request', 'emulator: several accounts exist; pass login_hint to pick one');
    return [...this.accounts][0]!;
  }

  /** POST /token. `basicAuth` is the decoded `Authorization: Basic` pair, when the client used it. */
  exchange(form: Form, basicAuth?: { id: string; secret: string }): Record<string, unknown> {
    const grantType = form.grant_type;
    if (grantType !== 'refresh_token' && grantType !== 'authorization_code') {
      throw new OAuthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
    }
    const client = this.authenticateClient(form.client_id ?? basicAuth?.id, form.client_secret ?? basicAuth?.secret);
    return grantType === 'refresh_token' ? this.refresh(client, form) : this.redeemCode(client, form);
  }

  private authenticateClient(id: string | undefined, secret: string | undefined): OAuthClient {
    const client = id ? this.clients.get(id) : undefined;
    if (!client) throw new OAuthError(401, 'invalid_client', 'The OAuth client was not found.');
    if (client.clientSecret !== secret) throw new OAuthError(401, 'invalid_client', 'Unauthorized');
    return client;
  }

  private refresh(client: OAuthClient, form: Form): Record<string, unknown> {
    if (!form.refresh_token) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: refresh_token');
    const grant = this.refreshTokens.get(form.refresh_token);
    if (!grant || grant.revoked) throw new OAuthError(400, 'invalid_grant', 'Token has been expired or revoked.');
    if (grant.clientId !== client.clientId) throw new OAuthError(401, 'unauthorized_client', 'Unauthorized');
    const access = this.issueAccessToken(grant.email, client.clientId, grant.scope, form.refresh_token);
    return { access_token: access.token, expires_in: ACCESS_TOKEN_LIFETIME_S, scope: grant.scope, token_type: 'Bearer' };
  }

  private redeemCode(client: OAuthClient, form: Form): Record<string, unknown> {
    if (!form.code) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: code');
    const code = this.codes.get(form.code);
    if (!code) throw new OAuthError(400, 'invalid_grant', 'Malformed auth code.');
    if (code.used || code.expiresAt <= this.now() || code.clientId !== client.clientId)
      throw new OAuthError(400, 'invalid_grant', 'Bad Request');
    if (form.redirect_uri !== code.redirectUri) throw new OAuthError(400, 'redirect_uri_mismatch', 'Bad Request');
    if (code.challenge && !verifierMatches(code.challenge, form.code_verifier)) {
      throw new OAuthError(400, 'invalid_grant', 'Invalid code verifier.');
    }
    code.used = true;
    const pair = `${code.email} ${client.clientId}`;
    const giveRefresh = code.offline && (code.forceConsent || !this.consented.has(pair));
    const refresh = giveRefresh ? this.issueRefreshToken(code.email, client.clientId, code.scope) : undefined;
    this.consented.add(pair);
    const access = this.issueAccessToken(code.email, client.clientId, code.scope, refresh);
    return {
      access_token: access.token,
      expires_in: ACCESS_TOKEN_LIFETIME_S,
      ...(refresh ? { refresh_token: refresh } : {}),
      scope: code.scope,
      token_type: 'Bearer',
    };
  }

  /** Checks `Authorization: Bearer …` for an API call; `write` asks for a read-write scope. */
  authenticate(header: string | undefined, write: boolean): AccessGrant {
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw errors.loginRequired();
    const grant = this.accessTokens.get(match[1]!);
    if (!grant || grant.revoked || grant.expiresAt <= this.now()) throw errors.authError();
    const allowed = write ? WRITE_SCOPES : READ_SCOPES;
    if (!grant.scopes.some((s) => allowed.includes(s))) throw errors.insufficientPermissions();
    return grant;
  }
}

function verifierMatches(challenge: { value: string; method: string }, verifier: string | undefined): boolean {
  if (!verifier) return false;
  const computed = challenge.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return computed === challenge.value;
}
