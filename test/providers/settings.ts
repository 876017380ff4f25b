import type { GoogleSettings } from '@cadence/scheduling/calendars/google/client';
import type { MicrosoftSettings } from '@cadence/scheduling/calendars/microsoft/settings';
import type { GoogleEmulator } from '../emulators/google/index.js';
import type { MicrosoftEmulator } from '../emulators/microsoft/index.js';

/**
 * The scheduling service's provider settings pointed at a loopback emulator (tests and benchmarks).
 * The addresses the provider calls back are only known once the service listens: `listening`
 * fills them in the same object the service was given.
 */
export function googleEmulatorSettings(emulator: GoogleEmulator, client: { id: string; secret: string }) {
  const settings: GoogleSettings = {
    GOOGLE_CLIENT_ID: client.id,
    GOOGLE_CLIENT_SECRET: client.secret,
    GOOGLE_API_ROOT_URL: emulator.url,
    GOOGLE_TOKEN_URL: emulator.tokenUrl,
    GOOGLE_AUTH_URL: emulator.authUrl,
    GOOGLE_CHANNEL_TTL_SECONDS: 604_800,
    GOOGLE_CHANNEL_RENEW_BEFORE_MS: 24 * 3600_000,
    // short, so a call the emulator never answers is retried within a test's patience
    GOOGLE_REQUEST_TIMEOUT_MS: 5_000,
    GOOGLE_REDIRECT_URL: undefined,
    GOOGLE_WEBHOOK_URL: undefined,
  };
  const listening = (serviceUrl: string) => {
    settings.GOOGLE_REDIRECT_URL = `${serviceUrl}/v1/connections/google/callback`;
    settings.GOOGLE_WEBHOOK_URL = `${serviceUrl}/hooks/google`;
  };
  return { settings, listening };
}

export function microsoftEmulatorSettings(emulator: MicrosoftEmulator) {
  const settings: MicrosoftSettings = {
    MICROSOFT_CLIENT_ID: emulator.clientId,
    MICROSOFT_CLIENT_SECRET: emulator.clientSecret,
    MICROSOFT_TENANT: emulator.tenantId,
    MICROSOFT_AUTHORITY_URL: emulator.url,
    MICROSOFT_GRAPH_URL: emulator.url,
    MICROSOFT_REDIRECT_URL: undefined,
    MICROSOFT_NOTIFICATION_URL: undefined,
    MICROSOFT_SUBSCRIPTION_MINUTES: 4200,
    MICROSOFT_SUBSCRIPTION_RENEW_BEFORE_MS: 12 * 3600_000,
    MICROSOFT_SYNC_PAST_DAYS: 7,
    MICROSOFT_SYNC_FUTURE_DAYS: 180,
    MICROSOFT_REQUEST_TIMEOUT_MS: 5_000,
  };
  const listening = (serviceUrl: string) => {
    settings.MICROSOFT_REDIRECT_URL = `${serviceUrl}/v1/connections/microsoft/callback`;
    settings.MICROSOFT_NOTIFICATION_URL = `${serviceUrl}/hooks/microsoft`;
  };
  return { settings, listening };
}
