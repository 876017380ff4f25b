import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('a service started with bad configuration', () => {
  it.each(['scheduling', 'agenda'])('%s exits 1 with one message naming every bad variable', (service) => {
    const prefix = service.toUpperCase();
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=development', `services/${service}/src/main.ts`], {
      cwd: root,
      env: { PATH: process.env.PATH, NODE_ENV: 'production', [`${prefix}_PORT`]: '99999', LOG_LEVEL: 'loud' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`Invalid configuration for ${service}:`);
    for (const variable of [`${prefix}_PORT`, 'LOG_LEVEL', 'MONGODB_URI']) expect(run.stderr).toContain(`  - ${variable}:`);
    expect(run.stdout).toBe('');
  });
});
