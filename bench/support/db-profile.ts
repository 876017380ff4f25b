import type { Connection } from 'mongoose';

interface Row {
  count: number;
  totalMs: number;
  maxMs: number;
}

/**
 * Database time by command and collection (the driver's command events, with their durations),
 * between `reset()` and `print()`: which reads and writes a stage of a benchmark spends on.
 */
export function profileCommands(conn: Connection) {
  const rows = new Map<string, Row>();
  const names = new Map<number, string>();
  const client = conn.getClient();
  client.on('commandStarted', (e) => {
    const collection = (e.command as Record<string, unknown>)[e.commandName];
    names.set(e.requestId, `${e.commandName} ${typeof collection === 'string' ? collection : ''}`.trim());
  });
  const done = (e: { requestId: number; duration: number }) => {
    const name = names.get(e.requestId);
    names.delete(e.requestId);
    if (!name) return;
    const row = rows.get(name) ?? { count: 0, totalMs: 0, maxMs: 0 };
    row.count++;
    row.totalMs += e.duration;
    row.maxMs = Math.max(row.maxMs, e.duration);
    rows.set(name, row);
  };
  client.on('commandSucceeded', done);
  client.on('commandFailed', done);
  return {
    reset: () => rows.clear(),
    /** The `top` commands by total time, and the totals. */
    print: (log: (line: string) => void, top = 20) => {
      const all = [...rows].sort((a, b) => b[1].totalMs - a[1].totalMs);
      const total = all.reduce((s, [, r]) => s + r.totalMs, 0);
      const count = all.reduce((s, [, r]) => s + r.count, 0);
      log(`database commands: ${count}, ${Math.round(total)} ms in all (concurrent ones overlap)`);
      log('  command                                   count   total ms   mean ms   max ms');
      for (const [name, r] of all.slice(0, top)) {
        log(
          `  ${name.padEnd(40)} ${String(r.count).padStart(6)} ${String(Math.round(r.totalMs)).padStart(10)} ${(r.totalMs / r.count).toFixed(1).padStart(9)} ${String(Math.round(r.maxMs)).padStart(8)}`,
        );
      }
    },
  };
}
