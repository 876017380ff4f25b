import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';

/** One request as the receiver got it. */
export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body: signatures are over these exact bytes. */
  body: string;
  id: string;
  receivedAt: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering (a slow receiver, or one that times out). */
  delayMs?: number;
}

/** Decides each answer; `nth` counts this id's deliveries, from 1. */
export type Responder = (req: ReceivedWebhook, nth: number) => Answer;

/** Polls `probe` until it returns something other than undefined, failing after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A webhook receiver on a loopback port the OS picks: records every request (raw body and
 * headers) and answers as the test says (200 by default). Closed after the file's tests.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  url = '';
  private readonly responders = new Map<string, Responder>();
  private readonly active = new Map<string, number>();
  private readonly peaks = new Map<string, number>();
  private readonly server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const got: ReceivedWebhook = {
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        id: String(req.headers['webhook-id'] ?? ''),
        receivedAt: Date.now(),
      };
      this.received.push(got);
      const active = (this.active.get(got.path) ?? 0) + 1;
      this.active.set(got.path, active);
      this.peaks.set(got.path, Math.max(active, this.peaks.get(got.path) ?? 0));
      res.on('close', () => this.active.set(got.path, (this.active.get(got.path) ?? 1) - 1));
      const nth = this.received.filter((r) => r.id === got.id && r.path === got.path).length;
      const answer: Answer = (this.responders.get(got.path) ?? (() => ({ status: 200 })))(got, nth);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
        res.end(answer.body ?? 'ok');
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });

  static async start(): Promise<WebhookReceiver> {
    const receiver = await WebhookReceiver.listen();
    afterAll(() => receiver.close());
    return receiver;
  }

  /** Listening, but closed by the caller (benchmarks run outside vitest). */
  static async listen(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    receiver.server.listen(0, '127.0.0.1');
    await once(receiver.server, 'listening');
    receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
    return receiver;
  }

  /** How requests to `path` are answered (200 until told otherwise). */
  answer(path: string, responder: Responder): this {
    this.responders.set(path, responder);
    return this;
  }

  /** Requests for one path (each test can give its subscription its own path). */
  at(path: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Requests to `path` being answered right now. */
  answering(path: string): number {
    return this.active.get(path) ?? 0;
  }

  /** The most requests to `path` that were being answered at the same time. */
  peak(path: string): number {
    return this.peaks.get(path) ?? 0;
  }

  /** Distinct `webhook-id`s received on a path. */
  ids(path: string): Set<string> {
    return new Set(this.at(path).map((r) => r.id));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
