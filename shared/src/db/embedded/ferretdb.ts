import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { processEnv } from '../../config/env.js';
import { PATCH_FILES, PATCH_ID, patchedModFile } from './ferretdb-patch.js';
import type { EmbeddedDatabase, Progress } from './types.js';

/** The Go program that embeds FerretDB, kept in the repository with its go.mod and go.sum. */
const PROGRAM_DIR = fileURLToPath(new URL('../../../ferretdb/', import.meta.url));
const PROGRAM_FILES = ['go.mod', 'go.sum', 'main.go', ...PATCH_FILES];
const FERRETDB_VERSION = 'v1.24.2';

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => resolve({ code: -1, output: err.message }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Cache key: a change to the program or its pinned modules builds a new binary. */
async function programHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of PROGRAM_FILES) hash.update(await readFile(join(PROGRAM_DIR, file)));
  hash.update(PATCH_ID);
  return hash.digest('hex').slice(0, 12);
}

/**
 * Returns the path of the FerretDB binary, building it with `go build` the first time (about a
 * minute with a cold module cache) and reusing it afterwards. Builds into a temporary name and
 * renames, so concurrent starters never run a half-written file.
 */
export async function ensureFerretDbBinary(cacheDir: string, progress: Progress): Promise<string | undefined> {
  const binary = join(cacheDir, `ferretdb-${FERRETDB_VERSION}-${await programHash()}`);
  if (existsSync(binary)) return binary;

  const go = await run('go', ['version'], PROGRAM_DIR);
  if (go.code !== 0) {
    progress('ferretdb: Go is not installed, so FerretDB cannot be built; skipping');
    return undefined;
  }
  await mkdir(cacheDir, { recursive: true });
  const temp = `${binary}.${process.pid}.tmp`;
  progress(`ferretdb: building FerretDB ${FERRETDB_VERSION} with ${go.output.trim()} (first run only, about a minute)…`);
  const started = Date.now();
  const ticker = setInterval(() => progress(`ferretdb: still building… ${Math.round((Date.now() - started) / 1000)} s`), 10_000);
  try {
    const patch = await patchArgs(`${temp}.src`, progress);
    const build = await run('go', ['build', '-trimpath', ...patch, '-o', temp, '.'], PROGRAM_DIR);
    await rm(`${temp}.src`, { recursive: true, force: true });
    if (build.code !== 0) {
      progress(`ferretdb: go build failed:\n${build.output.trim()}`);
      await rm(temp, { force: true });
      return undefined;
    }
    await rename(temp, binary);
    progress(`ferretdb: built in ${Math.round((Date.now() - started) / 1000)} s → ${binary}`);
    return binary;
  } finally {
    clearInterval(ticker);
  }
}

/** `go build` arguments that apply ferretdb-patch.ts to the downloaded FerretDB module, or none if it cannot be applied. */
async function patchArgs(workDir: string, progress: Progress): Promise<string[]> {
  const download = await run('go', ['mod', 'download', '-json', 'github.com/FerretDB/FerretDB'], PROGRAM_DIR);
  const dir = download.code === 0 ? (JSON.parse(download.output) as { Dir?: string }).Dir : undefined;
  const result = dir
    ? await patchedModFile(PROGRAM_DIR, dir, workDir)
    : { skipped: `go mod download failed:\n${download.output.trim()}` };
  if ('skipped' in result) {
    progress(`ferretdb: building without the _id pushdown patch (${result.skipped})`);
    return [];
  }
  return [`-modfile=${result.modFile}`];
}

/** Starts FerretDB on a free loopback port over SQLite files in `dataDir`. */
export async function startFerretDb(opts: {
  cacheDir: string;
  dataDir: string;
  progress: Progress;
}): Promise<EmbeddedDatabase | undefined> {
  const binary = await ensureFerretDbBinary(opts.cacheDir, opts.progress);
  if (!binary) return undefined;
  await mkdir(opts.dataDir, { recursive: true });

  // WAL (FerretDB's default) with synchronous=NORMAL: a commit no longer waits for an fsync (measured
  // here: insert 9.9 → 2.0 ms, update by id 14 → 10 ms); committed data survives a crash of any
  // process, only an OS crash or power loss may drop the last commits — fine for the embedded
  // database of development and tests (production runs MongoDB)
  const url = `file:${opts.dataDir.replace(/\/?$/, '/')}?_pragma=synchronous(NORMAL)`;
  const child = spawn(binary, ['--listen-addr', '127.0.0.1:0', '--sqlite-url', url], {
    // Go's collector ran for ~18 % of FerretDB's CPU while it decoded documents (its heap is small and
    // churns fast); collecting at 5× the live heap instead of 2×, capped at 1 GiB, cut the CPU per
    // document read by a fifth. The caller's own settings win.
    env: { GOGC: '400', GOMEMLIMIT: '1GiB', ...processEnv() },
    // stdin stays open as a lifeline: FerretDB exits when this process dies
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const uri = await new Promise<string | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 30_000);
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
    void exited.then(() => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
  if (!uri || !uri.startsWith('mongodb://')) {
    child.kill('SIGKILL');
    opts.progress('ferretdb: did not start (see the lines above)');
    return undefined;
  }

  return {
    kind: 'ferretdb',
    uri,
    pid: child.pid,
    description: `FerretDB ${FERRETDB_VERSION} (SQLite in ${opts.dataDir}) at ${uri}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
