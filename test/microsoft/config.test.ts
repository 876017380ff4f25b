import { describe, expect, it } from 'vitest';
import { parseConfig, schedulingConfigSchema } from '@cadence/shared/config';
import { identityUrl, microsoftSettingsFrom } from '@cadence/scheduling/calendars/microsoft/settings';

const parse = (env: Record<string, string>) => parseConfig('scheduling', schedulingConfigSchema, env);

describe('Outlook configuration', () => {
  it('is off without a client id and secret, on with both, with Microsoft’s endpoints by default', () => {
    expect(microsoftSettingsFrom(parse({}))).toBeUndefined();
    const settings = microsoftSettingsFrom(parse({ MICROSOFT_CLIENT_ID: 'app', MICROSOFT_CLIENT_SECRET: 'secret' }))!;
    expect(settings).toMatchObject({
      MICROSOFT_TENANT: 'common',
      MICROSOFT_GRAPH_URL: 'https://graph.microsoft.com',
      MICROSOFT_SUBSCRIPTION_MINUTES: 4200,
      MICROSOFT_SUBSCRIPTION_RENEW_BEFORE_MS: 12 * 3600_000,
    });
    expect(identityUrl(settings, 'token')).toBe('https://login.microsoftonline.com/common/oauth2/v2.0/token');
  });

  it('names every bad variable: a lone client id, a bad tenant, a lifetime Outlook does not allow', () => {
    let message = '';
    try {
      parse({ MICROSOFT_CLIENT_ID: 'app', MICROSOFT_TENANT: 'not a tenant/', MICROSOFT_SUBSCRIPTION_MINUTES: '5000' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('MICROSOFT_CLIENT_SECRET');
    expect(message).toContain('MICROSOFT_TENANT');
    expect(message).toContain('MICROSOFT_SUBSCRIPTION_MINUTES');
  });
});
