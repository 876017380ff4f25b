import type { Connection } from 'mongoose';

const listeners = new WeakMap<Connection, Set<() => void>>();

/**
 * Process-local news that an event was written to the outbox on `conn`, so this replica's fan-out
 * starts at once instead of at its next poll (WEBHOOK_POLL_INTERVAL_MS); events written by other
 * replicas still wait for the poll. Cheap since the fan-out reads its small marker collection.
 */
export function onOutboxWritten(conn: Connection, listener: () => void): () => void {
  let set = listeners.get(conn);
  if (!set) listeners.set(conn, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

export function outboxWritten(conn: Connection): void {
  for (const listener of listeners.get(conn) ?? []) listener();
}
