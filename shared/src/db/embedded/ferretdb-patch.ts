import { chmod, cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * One change to FerretDB v1.24's SQLite backend, applied at build time: the module downloaded from
 * the proxy (checked against go.sum) is copied, the copy patched, and `go build -modfile` points a
 * `replace` at it (`-overlay` may not replace files in the module cache).
 *
 * That backend uses its `_id` index only when a filter is exactly `{_id: <string>}`
 * (`params.Filter.Len() == 1`, upstream TODO FerretDB#3235); `{_id, organizationId}` — every
 * organization-scoped read by id — and `{_id, version}` — every compare-and-set — read and decode
 * the whole collection, ~0.5–1 ms a document. The patch narrows the SQL query by `_id` whenever the
 * filter has a string `_id` among other fields. Safe because the SQL query is only a pre-filter: every
 * FerretDB handler (find, count, update, delete, findAndModify, distinct, aggregate) applies the
 * whole filter to what the backend returns, and a document can match the whole filter only if
 * its `_id` equals the filter's.
 */
const FILE = 'internal/backends/sqlite/collection.go';
const BEFORE = 'if params.Filter.Len() == 1 {';
const AFTER = 'if params.Filter.Len() >= 1 {';
/** Query and Explain. */
const SITES = 2;

/** Part of the binary's cache key: a new patch builds a new binary. */
export const PATCH_ID = 'id-pushdown-1';

/**
 * Copies the module at `moduleDir` under `workDir`, patches the copy and writes a go.mod/go.sum
 * pair that replaces the module with it; returns the `-modfile` to build with, or why not.
 */
export async function patchedModFile(
  programDir: string,
  moduleDir: string,
  workDir: string,
): Promise<{ modFile: string } | { skipped: string }> {
  const source = await readFile(join(moduleDir, FILE), 'utf8');
  if (source.split(BEFORE).length - 1 !== SITES) return { skipped: `${FILE} is not the expected FerretDB v1.24 source` };
  const copy = join(workDir, 'FerretDB');
  await cp(moduleDir, copy, { recursive: true });
  // the module cache is read-only, and so is a copy of it
  await chmod(join(copy, FILE, '..'), 0o755);
  await chmod(join(copy, FILE), 0o644);
  await writeFile(join(copy, FILE), source.replaceAll(BEFORE, AFTER));
  const modFile = join(workDir, 'go.mod');
  const goMod = await readFile(join(programDir, 'go.mod'), 'utf8');
  await writeFile(modFile, `${goMod}\nreplace github.com/FerretDB/FerretDB => ${copy}\n`);
  await writeFile(join(workDir, 'go.sum'), await readFile(join(programDir, 'go.sum')));
  return { modFile };
}
