/**
 * Ids per `_id: {$in: [...]}` query. FerretDB (patched) and MongoDB both look such a list up in
 * the `_id` index; a long list is split so no single query (or its reply) grows without bound.
 */
const IDS_PER_QUERY = 1_000;

/** `ids` in lists of at most IDS_PER_QUERY, one query each. */
export function idLists<T>(ids: readonly T[]): T[][] {
  return Array.from({ length: Math.ceil(ids.length / IDS_PER_QUERY) }, (_, i) =>
    ids.slice(i * IDS_PER_QUERY, (i + 1) * IDS_PER_QUERY),
  );
}
