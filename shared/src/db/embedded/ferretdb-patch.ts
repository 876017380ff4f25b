import { execFile } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Two changes to FerretDB v1.24's SQLite backend so that it uses its `_id` index, applied at build
 * time: the module downloaded from the proxy (checked against go.sum) is copied, the copy patched,
 * and `go build -modfile` points a `replace` at it (`-overlay` may not replace files in the module
 * cache). Without them every read and write of the embedded database reads the whole collection.
 */
const EDITS = [
  {
    /**
     * The index is on `sjson->"_id"`, but queries, updates and deletes by id compare
     * `sjson->'$._id'`: the same value to SQLite, yet not the indexed expression, so SQLite scans
     * the table even for `{_id: …}` (EXPLAIN QUERY PLAN: `SCAN`; with `->'_id'`: `SEARCH … USING
     * INDEX`). Measured at 1,500 documents of 1.5 KB: findOne by id 12.9 ms, updateOne 62.6 ms.
     */
    file: 'internal/backends/sqlite/metadata/metadata.go',
    before: `IDColumn = DefaultColumn + "->'$._id'"`,
    after: `IDColumn = DefaultColumn + "->'_id'"`,
    sites: 1,
  },
  {
    /**
     * The query is narrowed by `_id` only when a filter is exactly `{_id: <string>}` (upstream TODO
     * FerretDB#3235); `{_id, organizationId}` — every organization-scoped read by id — and
     * `{_id, version}` — every compare-and-set — read and decode every document (~0.5–1 ms each).
     * Narrowing whenever the filter has a string `_id` is safe: the SQL query is only a pre-filter,
     * every handler (find, count, update, delete, findAndModify, distinct, aggregate) applies the
     * whole filter to what the backend returns, and only a document with that `_id` can match it.
     */
    file: 'internal/backends/sqlite/collection.go',
    before: 'if params.Filter.Len() == 1 {',
    after: 'if params.Filter.Len() >= 1 {',
    sites: 2, // Query and Explain
  },
];

/** Part of the binary's cache key: a new patch builds a new binary. */
export const PATCH_ID = 'id-index-2';

/**
 * Copies the module at `moduleDir` under `workDir`, patches the copy and writes a go.mod/go.sum
 * pair that replaces the module with it; returns the `-modfile` to build with, or why not.
 */
export async function patchedModFile(
  programDir: string,
  moduleDir: string,
  workDir: string,
): Promise<{ modFile: string } | { skipped: string }> {
  const sources = await Promise.all(EDITS.map((e) => readFile(join(moduleDir, e.file), 'utf8')));
  const unexpected = EDITS.find((e, i) => sources[i]!.split(e.before).length - 1 !== e.sites);
  if (unexpected) return { skipped: `${unexpected.file} is not the expected FerretDB v1.24 source` };
  const copy = join(workDir, 'FerretDB');
  await cp(moduleDir, copy, { recursive: true });
  // the module cache is read-only, and so is a copy of it (which must be patched, then removed)
  await promisify(execFile)('chmod', ['-R', 'u+w', copy]);
  for (const [i, e] of EDITS.entries()) await writeFile(join(copy, e.file), sources[i]!.replaceAll(e.before, e.after));
  const modFile = join(workDir, 'go.mod');
  const goMod = await readFile(join(programDir, 'go.mod'), 'utf8');
  await writeFile(modFile, `${goMod}\nreplace github.com/FerretDB/FerretDB => ${copy}\n`);
  await writeFile(join(workDir, 'go.sum'), await readFile(join(programDir, 'go.sum')));
  return { modFile };
}
