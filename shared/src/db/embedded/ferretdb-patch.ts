import { execFile } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Changes to FerretDB v1.24 applied at build time: its SQLite backend uses its `_id` index, an
 * `update` command closes each statement's query, updates of a collection run one at a time (so
 * each is atomic), and resource tracking is left to debug builds.
 * The module downloaded from the proxy (checked against go.sum) is copied, the copy patched, and
 * `go build -modfile` points a `replace` at it (`-overlay` may not replace files in the module
 * cache). Without the index changes every read and write of the embedded database reads the
 * whole collection.
 */
const EDITS: Edit[] = [
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
  {
    /**
     * `_id: {$in: [ids]}` — reading or deleting a known set of documents — scanned the whole
     * collection too (a sync of an Outlook calendar looks its page of ids up this way: 4 s per
     * lookup at 2,000 series). patches/id_in.go.txt narrows it to `IN (…)` over the index, for
     * string and ObjectID lists; as above, the handler still applies the whole filter. Explain first,
     * so that it reports the pushdown too.
     */
    file: 'internal/backends/sqlite/collection.go',
    before: 'switch v.(type) {\n\t\tcase string, types.ObjectID:\n\t\t\tfilterPushdown = true',
    after:
      'switch v := v.(type) {\n\t\tcase *types.Document:\n\t\t\twhereClause, args, filterPushdown = idInWhere(v)\n' +
      '\t\tcase string, types.ObjectID:\n\t\t\tfilterPushdown = true',
    sites: 1,
  },
  {
    file: 'internal/backends/sqlite/collection.go',
    before: 'switch v.(type) {\n\t\tcase string, types.ObjectID:',
    after:
      'switch v := v.(type) {\n\t\tcase *types.Document:\n\t\t\twhereClause, args, _ = idInWhere(v)\n\t\tcase string, types.ObjectID:',
    sites: 1, // Query
  },
  {
    /**
     * An `update` command closes each statement's query only when the whole command returns (a
     * `defer` in the loop over statements), and a statement that matched a document leaves its
     * SQLite rows open, each holding one of the pool's 100 connections: the 100th such statement
     * of one command waited for a connection forever, and so did every later command — the
     * database hung (a bulkWrite of 100 updates by id was enough). Each statement's query is
     * closed once the statement is done.
     */
    file: 'internal/handler/msg_update.go',
    before: '\t\tcloser := iterator.NewMultiCloser()\n\t\tdefer closer.Close()\n\n\t\tcloser.Add(res.Iter)\n',
    after: '\t\tcloser := iterator.NewMultiCloser()\n\n\t\tcloser.Add(res.Iter)\n',
    sites: 1,
  },
  {
    file: 'internal/handler/msg_update.go',
    before: '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n',
    after: '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n\t\tcloser.Close()\n',
    sites: 1,
  },
  ...[
    'func (h *Handler) updateDocument(ctx context.Context, params *common.UpdateParams) (int32, int32, *types.Array, error) {\n',
    'func (h *Handler) findAndModifyDocument(ctx context.Context, params *common.FindAndModifyParams) (*findAndModifyResult, error) {\n',
  ].map((signature, i) => ({
    /**
     * An update (and a findAndModify) reads the documents it matches, changes them in memory and
     * writes each one back whole by `_id`, with nothing between the read and the write: two updates
     * of one document at once lose one's change (100 concurrent `$inc` of one document applied 12;
     * a sync request's `pending: true` was undone by the claim it raced, leaving the calendar leased
     * by nobody for a minute). patches/collection_lock.go.txt runs one such command of a collection
     * at a time, as atomic per document as MongoDB.
     */
    file: i === 0 ? 'internal/handler/msg_update.go' : 'internal/handler/msg_findandmodify.go',
    before: signature,
    after: `${signature}\tdefer lockCollection(params.DB, params.Collection)()\n\n`,
    sites: 1,
  })),
  ...['Track', 'Untrack'].map((fn) => ({
    /**
     * FerretDB tracks the lifetime of every iterator, cursor and connection it makes: `Track` adds
     * it to a pprof profile (capturing the caller's stack) and sets a finalizer that panics if it
     * was never closed — a leak detector for FerretDB's own tests. A document is iterated several
     * times on its way out, so this was ~13 % of the CPU of reading documents, and a missed close
     * would crash the database instead of leaking a little memory. Kept in debug builds only.
     */
    file: 'internal/util/resource/resource.go',
    before: `func ${fn}(obj any, token *Token) {\n\tcheckArgs(obj, token)\n`,
    after: `func ${fn}(obj any, token *Token) {\n\tcheckArgs(obj, token)\n\tif !debugbuild.Enabled {\n\t\treturn\n\t}\n`,
    sites: 1,
  })),
  {
    /**
     * Every document read is decoded by `sjson.Unmarshal`, which parsed its JSON several times over
     * (into a map of raw values, its schema by reflection, then each value with a decoder of its
     * own): two thirds of FerretDB's CPU reading 1,000 series. patches/sjson_fast.go.txt decodes in
     * one pass and falls back to this function, renamed, for anything else.
     */
    file: 'internal/handler/sjson/sjson.go',
    before: 'func Unmarshal(data []byte) (*types.Document, error) {',
    after: 'func unmarshalSlow(data []byte) (*types.Document, error) {',
    sites: 1,
  },
];

/** Go files added to the module, from shared/ferretdb/patches/. */
const ADDED = [
  { from: 'patches/id_in.go.txt', to: 'internal/backends/sqlite/id_in.go' },
  { from: 'patches/collection_lock.go.txt', to: 'internal/handler/collection_lock.go' },
  { from: 'patches/sjson_fast.go.txt', to: 'internal/handler/sjson/sjson_fast.go' },
  { from: 'patches/sjson_fast_test.go.txt', to: 'internal/handler/sjson/sjson_fast_test.go' },
];

interface Edit {
  file: string;
  before: string;
  after: string;
  /** How often `before` occurs where this edit applies (after the edits listed before it). */
  sites: number;
}

/** The added files, part of the binary's cache key. */
export const PATCH_FILES = ADDED.map((a) => a.from);

/** Part of the binary's cache key: a new patch builds a new binary. */
export const PATCH_ID = 'id-index-3+untracked+update-close+collection-lock+sjson-fast';

/**
 * Copies the module at `moduleDir` under `workDir`, patches the copy and writes a go.mod/go.sum
 * pair that replaces the module with it; returns the `-modfile` to build with, or why not.
 */
export async function patchedModFile(
  programDir: string,
  moduleDir: string,
  workDir: string,
): Promise<{ modFile: string } | { skipped: string }> {
  // every edit is checked against the text it applies to before anything is written
  const patched = new Map<string, string>();
  for (const e of EDITS) {
    const text = patched.get(e.file) ?? (await readFile(join(moduleDir, e.file), 'utf8'));
    if (text.split(e.before).length - 1 !== e.sites) return { skipped: `${e.file} is not the expected FerretDB v1.24 source` };
    patched.set(e.file, text.replaceAll(e.before, e.after));
  }
  const copy = join(workDir, 'FerretDB');
  await cp(moduleDir, copy, { recursive: true });
  // the module cache is read-only, and so is a copy of it (which must be patched, then removed)
  await promisify(execFile)('chmod', ['-R', 'u+w', copy]);
  for (const [file, text] of patched) await writeFile(join(copy, file), text);
  for (const a of ADDED) await cp(join(programDir, a.from), join(copy, a.to));
  const modFile = join(workDir, 'go.mod');
  const goMod = await readFile(join(programDir, 'go.mod'), 'utf8');
  await writeFile(modFile, `${goMod}\nreplace github.com/FerretDB/FerretDB => ${copy}\n`);
  await writeFile(join(workDir, 'go.sum'), await readFile(join(programDir, 'go.sum')));
  return { modFile };
}
