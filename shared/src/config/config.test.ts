import { describe, expect, it } from 'vitest';
import { agendaConfigSchema, ConfigError, parseConfig, schedulingConfigSchema } from '../config.js';

describe('service configuration', () => {
  it('names a bad value and a missing value in one error', () => {
    let error: unknown;
    try {
      parseConfig('scheduling', schedulingConfigSchema, { NODE_ENV: 'production', SCHEDULING_PORT: 'eighty' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    // production also requires the secrets that have development fallbacks
    expect(problems.map((p) => p.variable).sort()).toEqual(['INTERNAL_TOKEN', 'MONGODB_URI', 'SCHEDULING_PORT', 'SECRETS_KEY']);
    expect(message).toContain('SCHEDULING_PORT: must be a port number 0-65535');
    expect(message).toContain('MONGODB_URI: is required when NODE_ENV=production');
  });

  it('fills defaults and coerces types when nothing is set', () => {
    const cfg = parseConfig('agenda', agendaConfigSchema, {});
    expect(cfg).toMatchObject({
      AGENDA_PORT: 3002,
      AGENDA_DB_NAME: 'cadence_agenda',
      EMBEDDED_DB: 'auto',
      NODE_ENV: 'development',
    });
    expect(cfg.MONGODB_URI).toBeUndefined();
  });

  it('treats an empty variable as unset and rejects a malformed database URI', () => {
    expect(parseConfig('agenda', agendaConfigSchema, { AGENDA_PORT: '' }).AGENDA_PORT).toBe(3002);
    expect(() => parseConfig('agenda', agendaConfigSchema, { MONGODB_URI: 'postgres://x' })).toThrow(
      /MONGODB_URI: must be a mongodb/,
    );
  });
});
