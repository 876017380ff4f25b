import type { RequestListener } from 'node:http';
import { afterAll } from 'vitest';
import { startServer, type RunningServer } from '@cadence/shared/http';

/** Serves `app` over real HTTP on a loopback port the OS picks; closed after the file's tests. */
export async function serve(app: RequestListener): Promise<RunningServer> {
  const server = await startServer(app, { host: '127.0.0.1', port: 0 });
  afterAll(() => server.close(1000));
  return server;
}
