import type { MicrosoftEnv } from '@cadence/shared/config/providers';

/**
 * Delegated permissions: `offline_access` for a refresh token, `Calendars.ReadWrite` (the narrowest
 * that writes events and subscribes to them), `User.Read` for `/me` (the account's address).
 */
export const MICROSOFT_SCOPES = ['offline_access', 'Calendars.ReadWrite', 'User.Read'];

export type MicrosoftSettings = MicrosoftEnv & { MICROSOFT_CLIENT_ID: string; MICROSOFT_CLIENT_SECRET: string };

/** The Microsoft settings when Outlook is configured (client id and secret set), else undefined. */
export function microsoftSettingsFrom(env: MicrosoftEnv): MicrosoftSettings | undefined {
  return env.MICROSOFT_CLIENT_ID && env.MICROSOFT_CLIENT_SECRET ? (env as MicrosoftSettings) : undefined;
}

const trim = (url: string) => url.replace(/\/+$/, '');

/** The identity platform's v2.0 endpoints for the configured tenant. */
export const identityUrl = (s: MicrosoftSettings, endpoint: 'authorize' | 'token') =>
  `${trim(s.MICROSOFT_AUTHORITY_URL)}/${encodeURIComponent(s.MICROSOFT_TENANT)}/oauth2/v2.0/${endpoint}`;

/** Graph's root without the version (the client adds `/v1.0`). */
export const graphBaseUrl = (s: MicrosoftSettings) => trim(s.MICROSOFT_GRAPH_URL);
