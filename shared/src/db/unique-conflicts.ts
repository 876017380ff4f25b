import mongoose, { type Schema } from 'mongoose';

/** Scoping keys that are part of unique indexes but are not the caller's to change. */
const SCOPE_KEYS = new Set(['organizationId']);

interface DuplicateKeyError {
  code?: unknown;
  keyPattern?: Record<string, unknown>;
}

/**
 * Real MongoDB names the violated index in a duplicate-key error (`keyPattern`); FerretDB does
 * not. When the schema has a single unique index the answer is unambiguous, so fill it in: the
 * 409 can then name the field whichever server is behind the connection.
 */
export function uniqueConflictPlugin(schema: Schema): void {
  const unique = schema
    .indexes()
    .filter(([, opts]) => (opts as { unique?: boolean } | undefined)?.unique)
    .map(([fields]) => Object.keys(fields).filter((k) => !SCOPE_KEYS.has(k)));
  // schema.indexes() already includes path-level `unique: true` declarations
  const distinct = [...new Set(unique.map((keys) => keys.join(',')))];
  if (distinct.length !== 1) return;
  const keyPattern = Object.fromEntries(distinct[0]!.split(',').map((k) => [k, 1]));
  // three parameters make these error-handling middleware in mongoose
  const annotate = (error: Error, _res: unknown, next: (err?: Error) => void) => {
    const dup = error as DuplicateKeyError;
    if (dup.code === 11000 && !dup.keyPattern) dup.keyPattern = keyPattern;
    next(error);
  };
  schema.post('save', annotate);
  schema.post('insertMany', annotate);
  schema.post(['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne'], annotate);
}

let installed = false;
/** Applies the plugin to every schema compiled after this call. */
export function installUniqueConflictPlugin(): void {
  if (installed) return;
  installed = true;
  mongoose.plugin(uniqueConflictPlugin);
}
