import type { Request, Response } from 'express';
import { badRequest } from './errors.js';
import type { Outbound } from './outbound.js';

/** Graph takes at most 20 requests in one batch. */
const MAX_REQUESTS = 20;
/** Graph hands the Outlook service at most four of a batch's requests at once. */
const AT_ONCE = 4;
/** A request of the batch that gets no answer (a stalled call) is answered 504 after this. */
const ITEM_TIMEOUT_MS = 10_000;
/** Marks a batch's requests as they pass through the emulator again (the call log counts HTTP calls). */
export const BATCH_ITEM_HEADER = 'x-emulator-batch-item';
/** Headers of a request's answer that the batch passes on, as Graph names them. */
const KEPT_HEADERS: Record<string, string> = {
  'content-type': 'Content-Type',
  'retry-after': 'Retry-After',
  location: 'Location',
  'preference-applied': 'Preference-Applied',
};

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  dependsOn: string[];
}

interface BatchAnswer {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

const invalid = (message: string) => badRequest('BadRequest', message);

/** The batch's requests, refused whole (400) where Graph refuses them. */
function parseBatch(body: unknown): BatchItem[] {
  const requests = (body as { requests?: unknown } | undefined)?.requests;
  if (!Array.isArray(requests) || requests.length === 0) throw invalid('Invalid batch payload format.');
  if (requests.length > MAX_REQUESTS) throw invalid(`The number of requests in the batch exceeds the limit of ${MAX_REQUESTS}.`);
  const seen = new Set<string>();
  return requests.map((raw: unknown) => {
    const r = (raw ?? {}) as Record<string, unknown>;
    const { id, method, url } = r;
    if (typeof id !== 'string' || !id) throw invalid('Each request of a batch needs an id.');
    // ids are compared without case
    if (seen.has(id.toLowerCase())) throw invalid(`Request id '${id}' appears more than once in the batch.`);
    if (typeof method !== 'string' || typeof url !== 'string' || !url) throw invalid(`Request '${id}' needs a method and a url.`);
    if (/^[a-z][a-z0-9+.-]*:/i.test(url)) throw invalid(`Request '${id}': the url must be relative, such as /me/events.`);
    const headers = r.headers === undefined ? {} : r.headers;
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers))
      throw invalid(`Request '${id}': headers must be an object.`);
    const named = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    if (r.body !== undefined && !named['content-type']) throw invalid(`Request '${id}' has a body and no Content-Type header.`);
    const dependsOn = r.dependsOn === undefined ? [] : r.dependsOn;
    if (!Array.isArray(dependsOn) || dependsOn.some((d) => typeof d !== 'string' || !seen.has(d.toLowerCase())))
      throw invalid(`Request '${id}': dependsOn must name requests earlier in the batch.`);
    seen.add(id.toLowerCase());
    return {
      id,
      method: method.toUpperCase(),
      url: url.startsWith('/') ? url : `/${url}`,
      headers: named,
      body: r.body,
      dependsOn,
    };
  });
}

/**
 * `POST /v1.0/$batch` (JSON batching): each request is sent through the emulator again as if on its
 * own, with the batch's credentials, so it is authorized, routed, logged and given faults one by
 * one — Graph counts a batch's requests one by one against its limits, so any of them may come
 * back 429 with its own Retry-After while the batch itself answers 200. Four run at once; a batch
 * where any request depends on another runs in order, and a request whose dependency failed is
 * answered 424. Answers come in the order they finish.
 */
export function batchHandler(outbound: Outbound, replayUrl: () => string) {
  return async (req: Request, res: Response): Promise<void> => {
    const items = parseBatch(req.body);
    const authorization = req.headers.authorization;
    const answers: BatchAnswer[] = [];
    const failed = new Set<string>();
    const send = async (item: BatchItem): Promise<void> => {
      if (item.dependsOn.some((d) => failed.has(d.toLowerCase()))) {
        failed.add(item.id.toLowerCase());
        answers.push(errorAnswer(item.id, 424, 'FailedDependency', 'A request this one depends on failed.'));
        return;
      }
      const answer = await replay(outbound, replayUrl(), authorization, item);
      if (answer.status >= 400) failed.add(item.id.toLowerCase());
      answers.push(answer);
    };
    if (items.some((i) => i.dependsOn.length)) for (const item of items) await send(item);
    else {
      let next = 0;
      const worker = async () => {
        while (next < items.length) await send(items[next++]!);
      };
      await Promise.all(Array.from({ length: Math.min(AT_ONCE, items.length) }, worker));
    }
    res.json({ responses: answers });
  };
}

async function replay(
  outbound: Outbound,
  base: string,
  authorization: string | undefined,
  item: BatchItem,
): Promise<BatchAnswer> {
  const body = item.body === undefined ? undefined : typeof item.body === 'string' ? item.body : JSON.stringify(item.body);
  let res: Awaited<ReturnType<Outbound['request']>>;
  try {
    res = await outbound.request(`${base}/v1.0${item.url}`, {
      method: item.method,
      headers: { ...item.headers, ...(authorization ? { authorization } : {}), [BATCH_ITEM_HEADER]: '1' },
      ...(body !== undefined ? { body } : {}),
      timeoutMs: ITEM_TIMEOUT_MS,
    });
  } catch {
    // the request was dropped or never answered
    return errorAnswer(item.id, 504, 'GatewayTimeout', 'The gateway did not receive a timely response.');
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    const kept = KEPT_HEADERS[name.toLowerCase()];
    if (kept) headers[kept] = value;
  }
  const json = (headers['Content-Type'] ?? '').includes('json') && res.body.length > 0;
  return {
    id: item.id,
    status: res.status,
    headers,
    ...(json ? { body: JSON.parse(res.body) as unknown } : res.body ? { body: res.body } : {}),
  };
}

function errorAnswer(id: string, status: number, code: string, message: string): BatchAnswer {
  return { id, status, headers: { 'Content-Type': 'application/json' }, body: { error: { code, message } } };
}
