import { describe, expect, it } from 'vitest';
import { graphClient, graphFailure, useEmulator } from './test-support.js';
import type { Json } from './test-support.js';

const REDIRECT = 'http://127.0.0.1:3001/v1/calendar-connections/microsoft/callback';

describe('Microsoft emulator: identity platform', () => {
  const fx = useEmulator();

  const token = async (form: Record<string, string>, headers: Record<string, string> = {}) => {
    const res = await fetch(fx.emulator.tokenUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const client = () => ({ client_id: fx.manager.clientId, client_secret: fx.manager.clientSecret });

  const authorize = async (scope: string) => {
    const url = new URL(fx.emulator.authorizeUrl('common'));
    url.search = new URLSearchParams({
      client_id: fx.manager.clientId,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope,
      state: 'opaque-state',
      login_hint: 'manager@contoso.example',
    }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('opaque-state');
    return location.searchParams.get('code') ?? '';
  };

  it('auto-consents, redirects with a code, and exchanges it for tokens that Graph accepts', async () => {
    const code = await authorize('offline_access openid Calendars.ReadWrite User.Read');
    const { status, body } = await token({ ...client(), grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      token_type: 'Bearer',
      scope: 'https://graph.microsoft.com/Calendars.ReadWrite https://graph.microsoft.com/User.Read',
      expires_in: 3599,
      access_token: expect.stringMatching(/^ey[\w-]+\.[\w-]+\.[\w-]+$/),
      refresh_token: expect.any(String),
      id_token: expect.any(String),
    });
    const me = (await graphClient(fx.emulator, body.access_token).api('/me').get()) as Json;
    expect(me).toMatchObject({ id: fx.manager.userId, mail: 'manager@contoso.example' });

    const reused = await token({ ...client(), grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
  });

  it('returns a refresh token only when offline_access was requested', async () => {
    const code = await authorize('Calendars.ReadWrite');
    const { body } = await token({ ...client(), grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    expect(body.access_token).toBeTruthy();
    expect(body).not.toHaveProperty('refresh_token');
  });

  it('refreshes, and answers a revoked refresh token with invalid_grant AADSTS70008', async () => {
    const refreshed = await token({
      ...client(),
      grant_type: 'refresh_token',
      refresh_token: fx.manager.refreshToken,
      scope: 'offline_access Calendars.ReadWrite',
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).toEqual(expect.any(String));
    expect(refreshed.body.refresh_token).not.toBe(fx.manager.refreshToken);

    expect(fx.emulator.revokeRefreshToken(fx.manager.refreshToken)).toBe(true);
    const refused = await token({ ...client(), grant_type: 'refresh_token', refresh_token: fx.manager.refreshToken });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringMatching(/^AADSTS70008: /),
      error_codes: [70008],
      trace_id: expect.any(String),
      correlation_id: expect.any(String),
    });
    // The token issued by the refresh is a separate grant and still works.
    expect((await token({ ...client(), grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token })).status).toBe(
      200,
    );
  });

  it('authenticates the client by body or HTTP Basic and refuses a wrong secret', async () => {
    const basic = Buffer.from(`${fx.manager.clientId}:${fx.manager.clientSecret}`).toString('base64');
    const ok = await token(
      { grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' },
      { authorization: `Basic ${basic}` },
    );
    expect(ok.status).toBe(200);
    const app = graphClient(fx.emulator, ok.body.access_token);
    expect(((await app.api(`/users/${fx.manager.userId}/events`).get()) as Json).value).toEqual([]);
    const me = await graphFailure(app.api('/me').get());
    expect(me.statusCode).toBe(400);

    const wrong = await token({
      client_id: fx.manager.clientId,
      client_secret: 'nope',
      grant_type: 'client_credentials',
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
  });
});
