import { ReauthRequiredError } from '../../sync/errors.js';
import { identityUrl, MICROSOFT_SCOPES, type MicrosoftSettings } from './settings.js';

export interface TokenAnswer {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  scope?: string;
}

/** The identity platform answered with an OAuth error (`invalid_grant`, `invalid_client` …). */
export class IdentityError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    description: string,
  ) {
    super(`${error}: ${description}`);
    this.name = 'IdentityError';
  }
}

/**
 * One POST to the v2.0 token endpoint. Plain fetch rather than MSAL: MSAL keeps refresh tokens in
 * its own cache and does not hand them out, while Cadence must store each one sealed per connection.
 */
export async function requestTokens(settings: MicrosoftSettings, grant: Record<string, string>): Promise<TokenAnswer> {
  const res = await fetch(identityUrl(settings, 'token'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      client_id: settings.MICROSOFT_CLIENT_ID,
      client_secret: settings.MICROSOFT_CLIENT_SECRET,
      scope: MICROSOFT_SCOPES.join(' '),
      ...grant,
    }),
    signal: AbortSignal.timeout(settings.MICROSOFT_REQUEST_TIMEOUT_MS),
  });
  const body = (await res.json().catch(() => ({}))) as Partial<TokenAnswer> & { error?: string; error_description?: string };
  if (!res.ok || !body.access_token) {
    throw new IdentityError(res.status, body.error ?? `http_${res.status}`, (body.error_description ?? '').split('\n')[0]!);
  }
  return body as TokenAnswer;
}

/** A new access token from a refresh token; a refused one (revoked, expired) becomes ReauthRequiredError. */
export async function refreshTokens(settings: MicrosoftSettings, refreshToken: string): Promise<TokenAnswer> {
  try {
    return await requestTokens(settings, { grant_type: 'refresh_token', refresh_token: refreshToken });
  } catch (err) {
    if (err instanceof IdentityError && (err.error === 'invalid_grant' || err.error === 'interaction_required'))
      throw new ReauthRequiredError(`Microsoft refused the refresh token (${err.message.slice(0, 160)})`);
    throw err;
  }
}
