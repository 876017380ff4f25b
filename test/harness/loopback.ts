import { createServer } from 'node:net';

/* Loopback helpers for tests and benchmarks (no test runner needed). */

/** A loopback port free right now (nobody listens on it): for a service whose callback addresses must be known before it starts. */
export async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => probe.once('listening', r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}

/** A JSON client of a service's API with an API key: throws on an answer that is not 2xx. */
export function apiClient(baseUrl: string, key: string) {
  return async <T = Record<string, unknown>>(method: string, path: string, body?: object): Promise<T> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
}
