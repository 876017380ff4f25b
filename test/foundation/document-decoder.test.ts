import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { patchedModFile } from '@cadence/shared/db/embedded/ferretdb-patch';

const run = promisify(execFile);
const programDir = fileURLToPath(new URL('../../shared/ferretdb/', import.meta.url));

/**
 * The embedded FerretDB decodes stored documents with a one-pass decoder of ours
 * (shared/ferretdb/patches/sjson_fast.go.txt) instead of FerretDB's own, which it falls back to.
 * Go tests in a patched copy of the module: FerretDB's own sjson tests, and ours comparing both
 * decoders on 20,000 random documents and on every one of them with a byte changed.
 */
describe('the embedded database’s document decoder', () => {
  let work: string | undefined;
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('decodes every stored document as FerretDB’s own decoder does', async () => {
    work = await mkdtemp(join(tmpdir(), 'cadence-sjson-'));
    const download = await run('go', ['mod', 'download', '-json', 'github.com/FerretDB/FerretDB'], { cwd: programDir });
    const { Dir } = JSON.parse(download.stdout) as { Dir: string };
    const patched = await patchedModFile(programDir, Dir, work);
    expect(patched).toHaveProperty('modFile');
    const copy = join(work, 'FerretDB');
    await mkdir(join(copy, '.git')); // FerretDB's test helpers look for the repository's root
    const test = await run('go', ['test', '-count=1', './internal/handler/sjson/'], { cwd: copy, timeout: 170_000 }).catch(
      (e: { stdout?: string; stderr?: string }) => ({ stdout: `${e.stdout ?? ''}${e.stderr ?? ''}`, stderr: 'failed' }),
    );
    expect(test.stderr === 'failed' ? test.stdout : '').toBe('');
    expect(test.stdout).toMatch(/^ok\s+github\.com\/FerretDB\/FerretDB\/internal\/handler\/sjson/m);
  }, 180_000);
});
