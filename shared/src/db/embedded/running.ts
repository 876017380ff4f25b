import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmbeddedDatabase } from './types.js';

const fileIn = (dataDir: string) => join(dataDir, 'running.json');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * `npm start` announces its embedded database here, so a second process (the CLI) talks to the
 * same server instead of opening the same files with a second one.
 */
export async function announceRunning(dataDir: string, db: EmbeddedDatabase): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  await writeFile(fileIn(dataDir), JSON.stringify({ pid: process.pid, uri: db.uri, description: db.description }));
  return () => rm(fileIn(dataDir), { force: true });
}

export async function findRunning(dataDir: string): Promise<EmbeddedDatabase | undefined> {
  try {
    const { pid, uri, description } = JSON.parse(await readFile(fileIn(dataDir), 'utf8')) as {
      pid: number;
      uri: string;
      description: string;
    };
    if (!alive(pid)) return undefined;
    return { kind: 'external', uri, description: `${description} (started by npm start, pid ${pid})`, stop: async () => {} };
  } catch {
    return undefined;
  }
}
