import type { Connection } from 'mongoose';

/**
 * Reopens a connection whose driver monitor has stalled. Seen in test/robustness/db-outage.test.ts
 * about one run in three (mongodb 6.22, FerretDB behind a TCP proxy that is stopped and started):
 * a heartbeat starts the moment the database goes away and never ends, with neither success nor
 * failure, so the server is never checked again and the service stays unready after the database
 * is back, for good. A heartbeat is bounded by connectTimeoutMS (+ heartbeatFrequencyMS when
 * streaming); one pending for longer than `stallMs` is stuck, and a fresh client is the way out.
 */
export function watchMonitor(conn: Connection, reopen: () => Promise<unknown>, stallMs: number, log: (msg: string) => void) {
  let pendingSince: number | undefined;
  let reopening = false;
  let hooked: unknown;
  const hook = () => {
    const client = conn.getClient();
    if (hooked === client) return;
    hooked = client;
    pendingSince = undefined;
    client.on('serverHeartbeatStarted', () => (pendingSince ??= Date.now()));
    client.on('serverHeartbeatSucceeded', () => (pendingSince = undefined));
    client.on('serverHeartbeatFailed', () => (pendingSince = undefined));
  };
  hook();
  const timer = setInterval(() => {
    // closed by its owner (shutdown, a test): nothing to watch any more
    if (!reopening && pendingSince === undefined && conn.readyState === 0) return clearInterval(timer);
    if (reopening || pendingSince === undefined || Date.now() - pendingSince < stallMs) return;
    reopening = true;
    log(`database monitor stalled for ${Math.round((Date.now() - pendingSince) / 1000)} s; reconnecting`);
    void (async () => {
      // not `close(true)`: mongoose's models stay "force closed" even after the connection reopens
      await conn.close().catch(() => undefined);
      await reopen();
      hook();
    })()
      // still down: the next tick tries again
      .catch((err: unknown) => log(`reconnecting failed: ${(err as Error).message}`))
      .finally(() => (reopening = false));
  }, 1000);
  timer.unref();
}
