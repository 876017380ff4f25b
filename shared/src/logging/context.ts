import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';

interface RequestContext {
  requestId: string;
  logger: Logger;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` with a request's id and logger visible to everything it calls, however deep. */
export function runWithRequestContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** The current request's logger (lines carry its request id), or `fallback` outside a request. */
export function contextLogger(fallback: Logger): Logger {
  return storage.getStore()?.logger ?? fallback;
}
