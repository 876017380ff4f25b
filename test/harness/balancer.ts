import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A round-robin HTTP load balancer on loopback, as production puts in front of several replicas
 * of a stateless service: each request goes whole to the next replica, answered as that replica
 * answers it. `setTargets` names the replicas once they listen (they are told the balancer's address first).
 */
export async function startBalancer() {
  let targets: URL[] = [];
  let next = 0;
  const agent = new Agent({ keepAlive: true });
  const server = createServer((req, res) => {
    const target = targets[next++ % targets.length];
    if (!target) {
      res.writeHead(503).end();
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setTargets: (urls: string[]) => {
      targets = urls.map((u) => new URL(u));
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
