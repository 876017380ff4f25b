import { randomBytes, randomUUID } from 'node:crypto';
import express from 'express';
import type { Request, Router } from 'express';
import type { Calendar } from './calendar.js';
import { GraphError, IdentityError } from './errors.js';
import { newToken } from './ids.js';
import type { Account } from './model.js';

/** Who a Graph call acts for: a signed-in user (delegated) or the app itself (client credentials). */
export interface Principal {
  userId?: string;
  clientId: string;
}

export interface AppRegistration {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

interface AccessGrant {
  principal: Principal;
  expiresAt: number;
}

interface RefreshGrant {
  userId: string;
  clientId: string;
  scope: string;
  revoked: boolean;
}

interface CodeGrant {
  userId: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  expiresAt: number;
  redeemed: boolean;
}

const GRAPH = 'https://graph.microsoft.com/';
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');

/** JWT-shaped (clients may decode exp/oid), but the emulator validates by lookup, not signature. */
function jwtShaped(payload: Record<string, unknown>): string {
  return `${b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: 'cadence-emulator' }))}.${b64url(JSON.stringify(payload))}.${b64url(randomBytes(32))}`;
}

/** Graph answers with resource-qualified scopes and leaves the OpenID ones out. */
function grantedScope(requested: string): string {
  const graph = requested
    .split(/\s+/)
    .filter((s) => s && !OIDC_SCOPES.has(s.toLowerCase()))
    .map((s) => (s.startsWith('https://') ? s : `${GRAPH}${s}`));
  return graph.length > 0 ? graph.join(' ') : `${GRAPH}.default`;
}

/**
 * The identity platform's token and authorize endpoints, plus validating the bearer tokens Graph
 * calls carry. One app registration per emulator; consent is automatic for known accounts.
 */
export class Identity {
  private readonly access = new Map<string, AccessGrant>();
  private readonly refresh = new Map<string, RefreshGrant>();
  private readonly codes = new Map<string, CodeGrant>();

  constructor(
    private readonly calendar: Calendar,
    readonly app: AppRegistration,
    private readonly now: () => Date,
    private readonly accessTokenSeconds = 3599,
  ) {}

  issueAccessToken(principal: Principal, scope = `${GRAPH}.default`): string {
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    const token = jwtShaped({
      aud: GRAPH.slice(0, -1),
      iss: `https://sts.windows.net/${this.app.tenantId}/`,
      iat: issuedAt,
      nbf: issuedAt,
      exp: issuedAt + this.accessTokenSeconds,
      appid: principal.clientId,
      tid: this.app.tenantId,
      ...(principal.userId ? { oid: principal.userId, scp: scope.replaceAll(GRAPH, '') } : { roles: ['Calendars.ReadWrite'] }),
      uti: randomUUID(),
    });
    this.access.set(token, { principal, expiresAt: (issuedAt + this.accessTokenSeconds) * 1000 });
    return token;
  }

  issueRefreshToken(userId: string, scope = `${GRAPH}Calendars.ReadWrite offline_access`): string {
    const token = `0.A${newToken(96)}`;
    this.refresh.set(token, { userId, clientId: this.app.clientId, scope, revoked: false });
    return token;
  }

  revokeRefreshToken(token: string): boolean {
    const grant = this.refresh.get(token);
    if (!grant) return false;
    grant.revoked = true;
    return true;
  }

  /** Validates `Authorization: Bearer …` the way Graph answers: 401 InvalidAuthenticationToken. */
  authenticate(header: string | undefined): Principal {
    const token = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim();
    const unauthorized = (message: string) =>
      new GraphError(401, 'InvalidAuthenticationToken', message, {
        'WWW-Authenticate': `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
      });
    if (!token) throw unauthorized('Access token is empty.');
    const grant = this.access.get(token);
    if (!grant) throw unauthorized('Access token validation failure. Invalid audience.');
    if (grant.expiresAt <= this.now().getTime()) throw unauthorized('Lifetime validation failed, the token is expired.');
    return grant.principal;
  }

  router(): Router {
    const router = express.Router({ caseSensitive: false });
    router.post('/:tenant/oauth2/v2.0/token', express.urlencoded({ extended: false }), (req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.json(this.token(req));
    });
    router.get('/:tenant/oauth2/v2.0/authorize', (req, res) => {
      const location = this.authorize(req);
      res.redirect(302, location);
    });
    return router;
  }

  private clientOf(req: Request): void {
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    let clientId = body.client_id;
    let secret = body.client_secret;
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (basic) {
      const [id, pw] = Buffer.from(basic, 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id ?? '');
      secret = decodeURIComponent(pw ?? '');
    }
    if (clientId !== this.app.clientId) {
      throw new IdentityError(
        400,
        'unauthorized_client',
        `AADSTS700016: Application with identifier '${clientId ?? ''}' was not found in the directory '${this.app.tenantId}'.`,
        [700016],
      );
    }
    if (secret !== this.app.clientSecret) {
      throw new IdentityError(
        401,
        'invalid_client',
        `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
        [7000215],
      );
    }
  }

  private token(req: Request): Record<string, unknown> {
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    const grantType = body.grant_type;
    this.clientOf(req);
    if (grantType === 'authorization_code') {
      const grant = this.codes.get(body.code ?? '');
      if (!grant || grant.redeemed || grant.expiresAt <= this.now().getTime()) {
        throw new IdentityError(
          400,
          'invalid_grant',
          'AADSTS70008: The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
          [70008],
        );
      }
      if (grant.redirectUri !== body.redirect_uri) {
        throw new IdentityError(
          400,
          'invalid_grant',
          "AADSTS50148: The redirect_uri doesn't match the one used in the authorization request.",
          [50148],
        );
      }
      grant.redeemed = true;
      return this.userTokens(grant.userId, body.scope ?? grant.scope, false);
    }
    if (grantType === 'refresh_token') {
      const grant = this.refresh.get(body.refresh_token ?? '');
      if (!grant || grant.revoked || !this.calendar.findAccount(grant.userId)) {
        throw new IdentityError(
          400,
          'invalid_grant',
          'AADSTS70008: The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
          [70008],
        );
      }
      // The platform answers a refresh with a new refresh token; the old one stays usable.
      return this.userTokens(grant.userId, body.scope ?? grant.scope, true);
    }
    if (grantType === 'client_credentials') {
      if (!(body.scope ?? '').split(/\s+/).some((s) => s.endsWith('/.default'))) {
        throw new IdentityError(
          400,
          'invalid_scope',
          'AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).',
          [1002012],
        );
      }
      return {
        token_type: 'Bearer',
        expires_in: this.accessTokenSeconds,
        ext_expires_in: this.accessTokenSeconds,
        access_token: this.issueAccessToken({ clientId: this.app.clientId }),
      };
    }
    throw new IdentityError(
      400,
      'unsupported_grant_type',
      `AADSTS70003: The app requested an unsupported grant type '${grantType ?? ''}'.`,
      [70003],
    );
  }

  /** A refresh token comes back only when offline_access was asked for, as on the real platform. */
  private userTokens(userId: string, requestedScope: string, isRefresh: boolean): Record<string, unknown> {
    const account = this.calendar.findAccount(userId) as Account;
    const scope = grantedScope(requestedScope);
    const scopes = requestedScope.split(/\s+/).map((s) => s.toLowerCase());
    const out: Record<string, unknown> = {
      token_type: 'Bearer',
      scope,
      expires_in: this.accessTokenSeconds,
      ext_expires_in: this.accessTokenSeconds,
      access_token: this.issueAccessToken({ userId, clientId: this.app.clientId }, scope),
    };
    if (isRefresh || scopes.includes('offline_access')) {
      out.refresh_token = this.issueRefreshToken(userId, requestedScope);
    }
    if (scopes.includes('openid')) {
      const iat = Math.floor(this.now().getTime() / 1000);
      out.id_token = jwtShaped({
        aud: this.app.clientId,
        iss: `https://login.microsoftonline.com/${this.app.tenantId}/v2.0`,
        iat,
        nbf: iat,
        exp: iat + 3600,
        name: account.displayName,
        oid: account.userId,
        preferred_username: account.email,
        email: account.email,
        sub: b64url(account.userId),
        tid: this.app.tenantId,
        ver: '2.0',
      });
    }
    return out;
  }

  /** Auto-consents for the account named by login_hint (or the only account) and redirects. */
  private authorize(req: Request): string {
    const q = req.query as Record<string, string | undefined>;
    if (q.client_id !== this.app.clientId) {
      throw new IdentityError(
        400,
        'unauthorized_client',
        `AADSTS700016: Application with identifier '${q.client_id ?? ''}' was not found in the directory.`,
        [700016],
      );
    }
    if (q.response_type !== 'code') {
      throw new IdentityError(
        400,
        'unsupported_response_type',
        'AADSTS700054: response_type must be code for this emulator.',
        [700054],
      );
    }
    let redirect: URL;
    try {
      redirect = new URL(q.redirect_uri ?? '');
    } catch {
      throw new IdentityError(
        400,
        'invalid_request',
        'AADSTS50011: The redirect URI specified in the request does not match the redirect URIs configured for the application.',
        [50011],
      );
    }
    const account = q.login_hint ? this.calendar.findAccount(q.login_hint) : this.calendar.onlyAccount();
    if (!account) {
      redirect.searchParams.set('error', 'login_required');
      redirect.searchParams.set('error_description', 'AADSTS50058: A silent sign-in request was sent but no user is signed in.');
    } else {
      const code = `0.A${newToken(64)}`;
      this.codes.set(code, {
        userId: account.userId,
        clientId: this.app.clientId,
        redirectUri: q.redirect_uri ?? '',
        scope: q.scope ?? '',
        expiresAt: this.now().getTime() + 10 * 60_000,
        redeemed: false,
      });
      redirect.searchParams.set('code', code);
      redirect.searchParams.set('session_state', randomUUID());
    }
    if (q.state !== undefined) redirect.searchParams.set('state', q.state);
    return redirect.toString();
  }
}
