import { z } from 'zod';
import {
  occurrencesByPairPageSchema,
  occurrencesForReportPageSchema,
  occurrenceSchema,
  organizationSchema,
  type OccurrencesByPairPage,
  type OccurrencesForReportPage,
  seriesSchema,
  type OccurrenceView,
  type SeriesView,
} from '../contracts/scheduling.js';
import { HttpProblem, problemSchema, unavailable } from '../http/problem.js';
import { currentRequestId } from '../logging/context.js';

export type {
  OccurrenceInRange,
  OccurrencesByPairPage,
  OccurrencesForReportPage,
  OccurrenceView,
  SeriesOutcomes,
  SeriesView,
} from '../contracts/scheduling.js';
export type Organization = z.infer<typeof organizationSchema>;

/**
 * How a call to the scheduling API is authorised: a caller's own API key, or (for link holders
 * and background work, who have none) the internal token acting for one organization.
 */
export type SchedulingCredentials = { apiKey: string } | { internalToken: string; organizationId: string };

/** `POST /internal/v1/events`: one domain event into scheduling's outbox, delivered as a signed webhook. */
export const internalEventSchema = z.strictObject({
  organizationId: z.string().min(1),
  type: z.string().regex(/^[a-z]+(\.[a-z_]+)+$/, 'must be a dotted event type such as homework.overdue'),
  /** The idempotency key: publishing the same id twice yields one event. */
  id: z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/, 'must be 1-200 letters, digits or . _ : -'),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
  /** Orders the event with the series' other events. */
  seriesId: z.string().optional(),
  occurrenceKey: z.string().optional(),
  data: z.record(z.string(), z.unknown()),
});
export type InternalEvent = z.infer<typeof internalEventSchema>;

const occurrenceListSchema = z.object({ items: z.array(occurrenceSchema) });

export interface SchedulingClientOptions {
  baseUrl: string;
  credentials: SchedulingCredentials;
  /** Per-request time limit; the scheduling service is on the request path of every agenda call. */
  timeoutMs?: number;
}

const unauthorized = (detail: string) =>
  new HttpProblem(401, { detail, headers: { 'WWW-Authenticate': 'Bearer realm="cadence"' } });

type ByPairQuery = {
  from: string;
  to: string;
  managerId?: string | undefined;
  repId?: string | undefined;
  cursor?: string | undefined;
  limit?: number;
};

function byPairQuery(q: ByPairQuery): URLSearchParams {
  const query = new URLSearchParams({ from: q.from, to: q.to });
  if (q.managerId) query.set('managerId', q.managerId);
  if (q.repId) query.set('repId', q.repId);
  if (q.cursor) query.set('cursor', q.cursor);
  if (q.limit !== undefined) query.set('limit', String(q.limit));
  return query;
}

/**
 * The typed client of the scheduling API. Responses are parsed with the same schemas the
 * scheduling service answers with; failures become problems a route can rethrow as they stand:
 * 4xx keep their status and detail, 5xx become 502 and an unreachable service 503.
 */
export class SchedulingClient {
  private readonly baseUrl: string;

  constructor(private readonly opts: SchedulingClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
  }

  /** The organization the credentials act for (with an API key: also proof the key is valid). */
  organization(): Promise<Organization> {
    return this.call('GET', '/v1/organization', organizationSchema);
  }

  series(seriesId: string): Promise<SeriesView> {
    return this.call('GET', `/v1/series/${enc(seriesId)}`, seriesSchema);
  }

  /** Occurrences whose original start is in [from, to): instants, or local dates in the series zone. */
  async occurrences(seriesId: string, range: { from: Date | string; to: Date | string }): Promise<OccurrenceView[]> {
    const bound = (v: Date | string) => (v instanceof Date ? v.toISOString() : v);
    const query = new URLSearchParams({ from: bound(range.from), to: bound(range.to) });
    const res = await this.call('GET', `/v1/series/${enc(seriesId)}/occurrences?${query}`, occurrenceListSchema);
    return res.items;
  }

  /**
   * One page of series with their occurrences in [from, to) (instants, or local dates in each
   * series' zone), ordered by manager, then rep: a report reads a whole organization in a few pages.
   */
  occurrencesByPair(q: ByPairQuery, timeoutMs?: number): Promise<OccurrencesByPairPage> {
    return this.call('GET', `/v1/occurrences?${byPairQuery(q)}`, occurrencesByPairPageSchema, undefined, timeoutMs);
  }

  /** The same pages with each occurrence as a report reads it (`fields=report`: its outcome only). */
  occurrencesForReport(q: ByPairQuery, timeoutMs?: number): Promise<OccurrencesForReportPage> {
    const query = byPairQuery(q);
    query.set('fields', 'report');
    return this.call('GET', `/v1/occurrences?${query}`, occurrencesForReportPageSchema, undefined, timeoutMs);
  }

  occurrence(seriesId: string, key: string): Promise<OccurrenceView> {
    return this.call('GET', `/v1/series/${enc(seriesId)}/occurrences/${enc(key)}`, occurrenceSchema);
  }

  /** Stores (or clears, with null) the agenda link on the series; the invite is rewritten with it. */
  setAgendaLink(seriesId: string, url: string | null): Promise<SeriesView> {
    return this.call('PUT', `/v1/series/${enc(seriesId)}/agenda-link`, seriesSchema, { url });
  }

  /** Publishes one event through scheduling's outbox and webhooks (internal credentials only). */
  async publishEvent(event: InternalEvent): Promise<void> {
    await this.call('POST', '/internal/v1/events', z.unknown(), internalEventSchema.parse(event));
  }

  private headers(hasBody: boolean): Record<string, string> {
    const c = this.opts.credentials;
    const requestId = currentRequestId();
    return {
      accept: 'application/json',
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
      ...(requestId ? { 'x-request-id': requestId } : {}),
      ...('apiKey' in c
        ? { authorization: `Bearer ${c.apiKey}` }
        : { 'x-internal-token': c.internalToken, 'x-cadence-organization': c.organizationId }),
    };
  }

  private async call<T extends z.ZodType>(
    method: string,
    path: string,
    schema: T,
    body?: unknown,
    timeoutMs?: number,
  ): Promise<z.output<T>> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: this.headers(body !== undefined),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs ?? this.opts.timeoutMs ?? 10_000),
      });
    } catch {
      throw unavailable('The scheduling service is not reachable; try again shortly.');
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) throw upstreamProblem(res.status, text);
    const parsed = schema.safeParse(text === '' ? undefined : safeJson(text));
    if (!parsed.success) {
      throw new HttpProblem(502, {
        detail: `The scheduling service answered ${method} ${path.split('?')[0]} in an unexpected shape.`,
      });
    }
    return parsed.data;
  }
}

const enc = encodeURIComponent;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A scheduling error as this service's own problem; the upstream detail is kept where it helps. */
function upstreamProblem(status: number, text: string): HttpProblem {
  const upstream = problemSchema.safeParse(safeJson(text));
  const detail = upstream.success ? upstream.data.detail : undefined;
  if (status === 401) return unauthorized(detail ?? 'The API key is not valid or has been revoked.');
  if (status === 404) return new HttpProblem(404, { detail: detail ?? 'No such resource.' });
  if (status === 429 || status === 503) return unavailable('The scheduling service is busy; try again shortly.');
  if (status >= 500) return new HttpProblem(502, { detail: 'The scheduling service failed to answer.' });
  // 400, 403, 409, 422…: the caller's request cannot be applied upstream; say why
  return new HttpProblem(status, {
    detail: detail ?? `The scheduling service refused the request (${status}).`,
    ...(upstream.success && upstream.data.type !== 'about:blank' ? { type: upstream.data.type, title: upstream.data.title } : {}),
    ...(upstream.success && upstream.data.errors ? { errors: upstream.data.errors } : {}),
  });
}

/** Clients for one deployment: with a caller's key, or internally on behalf of an organization. */
export class SchedulingClients {
  constructor(
    private readonly baseUrl: string,
    private readonly internalToken: string | undefined,
    private readonly timeoutMs?: number,
  ) {}

  withKey(apiKey: string): SchedulingClient {
    return new SchedulingClient({ baseUrl: this.baseUrl, credentials: { apiKey }, ...this.timeout() });
  }

  /** For link holders and background work; 503 when no internal token is configured. */
  internal(organizationId: string): SchedulingClient {
    if (!this.internalToken) throw unavailable('Service-to-service calls are not configured (INTERNAL_TOKEN).');
    return new SchedulingClient({
      baseUrl: this.baseUrl,
      credentials: { internalToken: this.internalToken, organizationId },
      ...this.timeout(),
    });
  }

  private timeout() {
    return this.timeoutMs === undefined ? {} : { timeoutMs: this.timeoutMs };
  }
}
