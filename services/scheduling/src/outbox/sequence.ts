let last = 0;

/**
 * Reserves `n` consecutive numbers of the delivery order; returns the first.
 *
 * Microseconds since the epoch, kept strictly increasing within the process. A shared counter
 * document was the first design, but FerretDB 1.x applies `$inc` non-atomically under concurrency
 * (duplicates seen) and concurrent upserts of it answered 409; this needs no write at all. Events of
 * one occurrence are made under one lock in one process, so their order is exact; across replicas
 * it is as good as their clocks.
 */
export function nextSequence(n = 1): number {
  const first = Math.max(Date.now() * 1000, last + 1);
  last = first + n - 1;
  return first;
}
