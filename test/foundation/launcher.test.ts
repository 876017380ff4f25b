import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { descendantsOf, isAlive } from '../harness/processes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('npm start launcher', () => {
  it('starts an embedded database and both services, and SIGTERM stops every process it started', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cadence-launcher-'));
    // nothing configured but ports the OS picks and a throwaway data directory
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      SCHEDULING_PORT: '0',
      AGENDA_PORT: '0',
      EMBEDDED_DB_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    };
    if (process.env.CADENCE_CACHE_DIR) env.CADENCE_CACHE_DIR = process.env.CADENCE_CACHE_DIR;
    const launcher = spawn(process.execPath, ['--import', 'tsx', '--conditions=development', 'shared/src/launcher/main.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    launcher.stdout.on('data', (d: Buffer) => (output += d.toString()));
    launcher.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => launcher.on('exit', (code) => resolve(code)));

    try {
      const urls = await until(
        'both service URLs',
        () => {
          const s = /scheduling\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
          const a = /agenda\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
          return s && a ? [s, a] : undefined;
        },
        150_000,
      );
      expect(output).toMatch(/database: (FerretDB|mongod)/);
      for (const url of urls) {
        const res = await fetch(`${url}/readyz`);
        expect(res.status).toBe(200);
      }

      const children = descendantsOf(launcher.pid!);
      // the database and the two services at least
      expect(children.length).toBeGreaterThanOrEqual(3);
      launcher.kill('SIGTERM');
      expect(await exited).toBe(0);
      await until('every child to exit', () => (children.some(isAlive) ? undefined : true), 15_000);
      expect(output).toContain('[cadence] stopped');
    } finally {
      if (launcher.exitCode === null) launcher.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
