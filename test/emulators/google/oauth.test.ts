import { google } from '@cadence/scheduling/calendars/google/googleapis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES, startGoogleEmulator, type GoogleEmulator } from './index.js';
import { calendarFor, failure, oauthFor } from './test-support.js';

let now = new Date('2026-10-01T12:00:00Z');
let emulator: GoogleEmulator;

beforeAll(async () => {
  emulator = await startGoogleEmulator({
    now: () => now,
    clientId: 'cadence-test.apps.googleusercontent.com',
    clientSecret: 'shh',
  });
});
afterAll(async () => {
  expect(emulator.internalErrors).toEqual([]);
  await emulator.close();
});

const form = (values: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(values).toString(),
});

describe('token endpoint', () => {
  it('exchanges a refresh token for an access token, as googleapis does before its first call', async () => {
    const account = emulator.addAccount({ email: 'refresh@example.com' });
    expect(account).toMatchObject({
      clientId: 'cadence-test.apps.googleusercontent.com',
      clientSecret: 'shh',
      calendarId: 'refresh@example.com',
    });
    const raw = await fetch(
      emulator.tokenUrl,
      form({
        grant_type: 'refresh_token',
        refresh_token: account.refreshToken,
        client_id: account.clientId,
        client_secret: 'shh',
      }),
    );
    expect(raw.status).toBe(200);
    expect(await raw.json()).toEqual({
      access_token: expect.stringMatching(/^ya29\./),
      expires_in: 3599,
      scope: SCOPES.events,
      token_type: 'Bearer',
    });

    emulator.clearCalls();
    const { data } = await calendarFor(emulator, account).events.list({ calendarId: 'primary' });
    expect(data.items).toEqual([]);
    expect(emulator.calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
      'POST /token 200',
      'GET /calendar/v3/calendars/primary/events 200',
    ]);
  });

  it('answers invalid_grant for a revoked refresh token; googleapis throws with message invalid_grant', async () => {
    const account = emulator.addAccount({ email: 'revoked@example.com' });
    emulator.revokeRefreshToken(account.refreshToken);
    const raw = await fetch(
      emulator.tokenUrl,
      form({
        grant_type: 'refresh_token',
        refresh_token: account.refreshToken,
        client_id: account.clientId,
        client_secret: 'shh',
      }),
    );
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    const thrown = await failure(calendarFor(emulator, account).events.list({ calendarId: 'primary' }));
    expect(thrown.message).toBe('invalid_grant');
    // the access token minted with it died too
    const direct = await fetch(`${emulator.url}calendar/v3/calendars/primary/events`, {
      headers: { authorization: `Bearer ${account.accessToken}` },
    });
    expect(direct.status).toBe(401);
  });

  it('refuses an unknown client or a wrong secret with invalid_client', async () => {
    const account = emulator.addAccount({ email: 'client@example.com' });
    const wrong = await fetch(
      emulator.tokenUrl,
      form({
        grant_type: 'refresh_token',
        refresh_token: account.refreshToken,
        client_id: account.clientId,
        client_secret: 'nope',
      }),
    );
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    const unsupported = await fetch(emulator.tokenUrl, form({ grant_type: 'password' }));
    expect(await unsupported.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('an expired access token answers 401 authError; a client set to refresh on failure recovers', async () => {
    const account = emulator.addAccount({ email: 'expiry@example.com' });
    const calendar = calendarFor(emulator, account);
    await calendar.events.list({ calendarId: 'primary' });
    // Google's clock moves past the token's 3599 s; googleapis still trusts its own expiry_date
    now = new Date(now.getTime() + 3600_000);
    const stale = await failure(calendar.events.list({ calendarId: 'primary' }));
    expect(stale.status).toBe(401);
    expect(stale.response?.data.error?.errors?.[0]?.reason).toBe('authError');

    const auth = oauthFor(emulator, account);
    auth.forceRefreshOnFailure = true;
    const resilient = google.calendar({ version: 'v3', auth, rootUrl: emulator.url });
    await resilient.events.list({ calendarId: 'primary' });
    now = new Date(now.getTime() + 3600_000);
    emulator.clearCalls();
    expect((await resilient.events.list({ calendarId: 'primary' })).status).toBe(200);
    expect(emulator.calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
      'GET /calendar/v3/calendars/primary/events 401',
      'POST /token 200',
      'GET /calendar/v3/calendars/primary/events 200',
    ]);
  });
});

describe('consent and the authorization code', () => {
  it('auto-consents for the hinted account, redirects with code and state, and the code buys a refresh token once', async () => {
    emulator.addAccount({ email: 'consent@example.com' });
    const client = new google.auth.OAuth2({
      clientId: emulator.clientId,
      clientSecret: emulator.clientSecret,
      redirectUri: 'http://127.0.0.1:9/oauth/google/callback',
      endpoints: { oauth2TokenUrl: emulator.tokenUrl, oauth2AuthBaseUrl: emulator.authUrl },
    });
    const consent = async (prompt?: string) => {
      const url = client.generateAuthUrl({
        access_type: 'offline',
        scope: [SCOPES.events],
        state: 'st-123',
        login_hint: 'consent@example.com',
        ...(prompt ? { prompt } : {}),
      });
      expect(url.startsWith(emulator.authUrl)).toBe(true);
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location')!);
      expect(`${location.origin}${location.pathname}`).toBe('http://127.0.0.1:9/oauth/google/callback');
      expect(location.searchParams.get('state')).toBe('st-123');
      return location.searchParams.get('code')!;
    };

    // a first-time user gets a refresh token with access_type=offline
    const code = await consent();
    const { tokens } = await client.getToken(code);
    expect(tokens).toMatchObject({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      scope: SCOPES.events,
      token_type: 'Bearer',
    });
    // the refresh token works for the API
    const account = { clientId: emulator.clientId, clientSecret: emulator.clientSecret, refreshToken: tokens.refresh_token! };
    const calendar = google.calendar({ version: 'v3', auth: oauthFor(emulator, account), rootUrl: emulator.url });
    expect((await calendar.events.list({ calendarId: 'primary' })).status).toBe(200);

    // codes are single-use
    const reused = await failure(client.getToken(code));
    expect(reused.message).toBe('invalid_grant');
    // consenting again gives no new refresh token unless prompt=consent, as with Google
    const { tokens: second } = await client.getToken(await consent());
    expect(second.refresh_token).toBeUndefined();
    const { tokens: forced } = await client.getToken(await consent('consent'));
    expect(forced.refresh_token).toEqual(expect.any(String));

    // a person who refuses comes back with error=access_denied
    emulator.setConsent('deny');
    const denied = await fetch(
      client.generateAuthUrl({ access_type: 'offline', scope: [SCOPES.events], state: 's', login_hint: 'consent@example.com' }),
      { redirect: 'manual' },
    );
    expect(new URL(denied.headers.get('location')!).searchParams.get('error')).toBe('access_denied');
    emulator.setConsent('approve');
  });
});

describe('API authentication', () => {
  it('401 without or with a bad bearer token; other people’s calendars are 404', async () => {
    const mine = emulator.addAccount({ email: 'mine@example.com' });
    emulator.addAccount({ email: 'theirs@example.com' });
    const base = `${emulator.url}calendar/v3/calendars`;
    const missing = await fetch(`${base}/primary/events`);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { errors: { reason: string }[] } }).error.errors[0]!.reason).toBe('required');
    const bad = await fetch(`${base}/primary/events`, { headers: { authorization: 'Bearer ya29.nope' } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({
      error: {
        errors: [
          {
            domain: 'global',
            reason: 'authError',
            message: 'Invalid Credentials',
            locationType: 'header',
            location: 'Authorization',
          },
        ],
        code: 401,
        message: 'Invalid Credentials',
      },
    });
    const auth = { headers: { authorization: `Bearer ${mine.accessToken}` } };
    expect((await fetch(`${base}/${encodeURIComponent('mine@example.com')}/events`, auth)).status).toBe(200);
    expect((await fetch(`${base}/${encodeURIComponent('theirs@example.com')}/events`, auth)).status).toBe(404);
  });

  it('a read-only grant cannot write', async () => {
    const reader = emulator.addAccount({ email: 'reader@example.com', scope: SCOPES.readonly });
    const calendar = calendarFor(emulator, reader);
    expect((await calendar.events.list({ calendarId: 'primary' })).status).toBe(200);
    const write = await failure(
      calendar.events.insert({
        calendarId: 'primary',
        requestBody: { start: { dateTime: '2026-10-20T09:00:00Z' }, end: { dateTime: '2026-10-20T10:00:00Z' } },
      }),
    );
    expect(write.status).toBe(403);
    expect(write.response?.data.error?.errors?.[0]?.reason).toBe('insufficientPermissions');
  });
});
