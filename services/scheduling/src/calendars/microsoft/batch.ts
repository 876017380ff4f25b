import type { ConnectionDoc } from '../../connections/models.js';
import type { MicrosoftAccounts } from './accounts.js';
import { isRetryable, retryAfterMs } from './errors.js';

/** Graph takes at most 20 requests in one batch. */
const MAX_PER_BATCH = 20;
/** Rounds for the requests of a batch answered 429 or 5xx (the batch call itself has the client's retries). */
const ATTEMPTS = 4;
const BASE_BACKOFF_MS = 200;
const MAX_WAIT_MS = 30_000;

/** A batch request's failure, shaped as the graph client's errors (errors.ts reads status, code and headers). */
export class BatchItemError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string | null,
    message: string,
    readonly headers: Record<string, string>,
  ) {
    super(message);
    this.name = 'BatchItemError';
  }
}

/** A request's answer: its body, or its error. */
export type BatchAnswer = { ok: true; body: unknown } | { ok: false; error: unknown };

interface BatchResponse {
  responses?: { id: string; status: number; headers?: Record<string, string>; body?: unknown }[];
}

/**
 * GETs sent as JSON batches (Graph's `$batch`: one HTTP call for up to 20), one batch after the
 * other: Graph runs four of a batch's requests against the mailbox at once, Outlook's limit. Graph
 * throttles a batch's requests one by one, so those answered 429 or 5xx go again in a later batch
 * after their Retry-After (else backoff), a few times; then their error is the answer. Chosen over
 * the graph client's BatchRequestContent, which wants fetch Request objects with absolute URLs
 * and keeps the version in the relative URL it sends.
 */
export async function batchGet(
  accounts: MicrosoftAccounts,
  connection: ConnectionDoc,
  urls: readonly string[],
): Promise<Map<string, BatchAnswer>> {
  const answers = new Map<string, BatchAnswer>();
  let pending = [...new Set(urls)];
  for (let attempt = 1; pending.length > 0; attempt++) {
    const again: string[] = [];
    let wait = 0;
    for (let i = 0; i < pending.length; i += MAX_PER_BATCH) {
      const chunk = pending.slice(i, i + MAX_PER_BATCH);
      const res: BatchResponse = await accounts.call(connection, (c) =>
        c.api('/$batch').post({ requests: chunk.map((url, id) => ({ id: String(id), method: 'GET', url })) }),
      );
      const byId = new Map((res.responses ?? []).map((r) => [r.id, r]));
      chunk.forEach((url, id) => {
        const r = byId.get(String(id));
        const answer = r ? toAnswer(r) : missing();
        if (!answer.ok && attempt < ATTEMPTS && isRetryable(answer.error)) {
          again.push(url);
          wait = Math.max(wait, retryAfterMs(answer.error) ?? Math.random() * BASE_BACKOFF_MS * 2 ** (attempt - 1));
        } else answers.set(url, answer);
      });
    }
    if (again.length) await new Promise((r) => setTimeout(r, Math.min(wait, MAX_WAIT_MS)));
    pending = again;
  }
  return answers;
}

function toAnswer(r: { status: number; headers?: Record<string, string>; body?: unknown }): BatchAnswer {
  if (r.status >= 200 && r.status < 300) return { ok: true, body: r.body };
  const error = (r.body as { error?: { code?: string; message?: string } } | undefined)?.error;
  // header names as retryAfterMs looks them up
  const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return { ok: false, error: new BatchItemError(r.status, error?.code ?? null, error?.message ?? `HTTP ${r.status}`, headers) };
}

/** A request the batch's answer left out: tried again, as a 503 would be. */
const missing = (): BatchAnswer => ({
  ok: false,
  error: new BatchItemError(503, 'missingFromBatch', 'The batch answered without this request.', {}),
});
