import { Agent, fetch } from 'undici';
import { trustedCas } from './certs.js';

export interface OutboundResponse {
  status: number;
  contentType: string;
  body: string;
}

/**
 * HTTP from the emulator to subscribers (validation handshakes, notifications). Its own agent
 * trusts the test CA, so a loopback receiver may serve https with the emulator's `serverTls`, and
 * the process-wide dispatcher stays untouched.
 */
export class Outbound {
  private readonly agent: Agent;

  constructor(caPem: string) {
    this.agent = new Agent({ connect: { ca: trustedCas(caPem) }, keepAliveTimeout: 1000 });
  }

  async post(url: string, body: string, contentType: string, timeoutMs: number): Promise<OutboundResponse> {
    const res = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
      dispatcher: this.agent,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text() };
  }

  /** Any request, its answer whole (the `$batch` route replays its items through the emulator itself). */
  async request(
    url: string,
    init: { method: string; headers: Record<string, string>; body?: string; timeoutMs: number },
  ): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const res = await fetch(url, {
      method: init.method,
      headers: init.headers,
      ...(init.body !== undefined ? { body: init.body } : {}),
      dispatcher: this.agent,
      signal: AbortSignal.timeout(init.timeoutMs),
    });
    return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

export function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}
