import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll } from 'vitest';

/** Debian's chromium (`apt-get install chromium`); tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where tests leave screenshots and other files worth looking at (gitignored). */
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/**
 * A headless chromium with a fresh profile, closed (and its profile removed) after the file's
 * tests. Fails with a clear message when the browser is not installed.
 */
export async function headlessChromium(viewport = { width: 1024, height: 900 }): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  await mkdir(ARTIFACTS, { recursive: true });
  const profile = await mkdtemp(join(tmpdir(), 'cadence-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  afterAll(async () => {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  });
  return context;
}
