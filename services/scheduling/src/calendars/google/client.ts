import { google, type calendar_v3 } from './googleapis.js';
import type { GoogleEnv } from '@cadence/shared/config';

export const GOOGLE_SCOPES = ['https://www.googleapis.com/auth/calendar.events'];

type OAuth2Client = InstanceType<typeof google.auth.OAuth2>;

export type GoogleSettings = GoogleEnv & { GOOGLE_CLIENT_ID: string; GOOGLE_CLIENT_SECRET: string };

/** The Google settings when Google is configured (client id and secret set), else undefined. */
export function googleSettingsFrom(env: GoogleEnv): GoogleSettings | undefined {
  return env.GOOGLE_CLIENT_ID && env.GOOGLE_CLIENT_SECRET ? (env as GoogleSettings) : undefined;
}

/** googleapis' own OAuth2 client: it refreshes access tokens from the refresh token by itself. */
export function googleOAuthClient(settings: GoogleSettings): OAuth2Client {
  return new google.auth.OAuth2({
    clientId: settings.GOOGLE_CLIENT_ID,
    clientSecret: settings.GOOGLE_CLIENT_SECRET,
    ...(settings.GOOGLE_REDIRECT_URL ? { redirectUri: settings.GOOGLE_REDIRECT_URL } : {}),
    endpoints: { oauth2TokenUrl: settings.GOOGLE_TOKEN_URL, oauth2AuthBaseUrl: settings.GOOGLE_AUTH_URL },
    // a 401 on a kept access token (revoked, expired early) refreshes once; a refused refresh is invalid_grant
    forceRefreshOnFailure: true,
    // a token call that never answers would hold the sync that needs it (undici gives up after 5 minutes)
    transporterOptions: { timeout: settings.GOOGLE_REQUEST_TIMEOUT_MS },
  });
}

/** A Calendar v3 client acting as one connected account; our retry wrapper replaces gaxios' own. */
export function googleCalendar(settings: GoogleSettings, refreshToken: string): calendar_v3.Calendar {
  const auth = googleOAuthClient(settings);
  auth.setCredentials({ refresh_token: refreshToken });
  return google.calendar({
    version: 'v3',
    auth,
    rootUrl: settings.GOOGLE_API_ROOT_URL,
    retry: false,
    // a call that never answers is cut off and retried (withGoogleRetry) instead of holding its sync
    timeout: settings.GOOGLE_REQUEST_TIMEOUT_MS,
  });
}
