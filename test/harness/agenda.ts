import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll } from 'vitest';
import { createAgendaApp, type AgendaApp, type AgendaDeps } from '@cadence/agenda/app';
import { buildReportFacts } from '@cadence/agenda/reports/facts/backfill';
import { createSchedulingApp, type SchedulingApp, type SchedulingDeps } from '@cadence/scheduling/app';
import { buildRecordedKeys } from '@cadence/scheduling/occurrences/recorded-keys';
import { issueApiKey } from '@cadence/scheduling/organizations/api-keys';
import { organizationModels } from '@cadence/scheduling/organizations/models';
import { createOrganization } from '@cadence/scheduling/organizations/organizations';
import type { SeriesView } from '@cadence/shared/clients/scheduling';
import { connectDatabase, ensureIndexes } from '@cadence/shared/db';
import { createMetricsRegistry } from '@cadence/shared/http';
import { capturingLogger } from './capture-logs.js';
import { useTestDatabase } from './database.js';
import { serve } from './http.js';

/** A clock both services read, moved by the test (weeks, overdue homework). */
export class TestClock {
  private current: Date;
  constructor(start: string) {
    this.current = new Date(start);
  }
  readonly now = () => new Date(this.current);
  set(iso: string): void {
    this.current = new Date(iso);
  }
}

type Client = {
  get: (path: string) => request.Test;
  post: (path: string, body?: object) => request.Test;
  put: (path: string, body?: object) => request.Test;
  patch: (path: string, body?: object) => request.Test;
  delete: (path: string) => request.Test;
};

/** supertest over real HTTP against `baseUrl`, with `headers` on every request. */
export function httpClient(baseUrl: string, headers: Record<string, string> = {}): Client {
  const withHeaders = (t: request.Test) => {
    for (const [k, v] of Object.entries(headers)) t.set(k, v);
    return t;
  };
  const agent = request(baseUrl);
  return {
    get: (path) => withHeaders(agent.get(path)),
    post: (path, body) => withHeaders(agent.post(path)).send(body ?? {}),
    put: (path, body) => withHeaders(agent.put(path)).send(body ?? {}),
    patch: (path, body) => withHeaders(agent.patch(path)).send(body ?? {}),
    delete: (path) => withHeaders(agent.delete(path)),
  };
}

export interface AgendaTestOrg {
  id: string;
  key: string;
  /** The scheduling API with this organization's key. */
  scheduling: Client;
  /** The agenda API with this organization's key. */
  agenda: Client;
}

export interface AgendaHarness {
  clock: TestClock;
  internalToken: string;
  scheduling: SchedulingApp;
  schedulingUrl: string;
  agenda: AgendaApp;
  agendaUrl: string;
  /** The agenda service's database, for a second replica on its own connection. */
  agendaDb: { uri: string; dbName: string };
  schedulingLogs: ReturnType<typeof capturingLogger>;
  agendaLogs: ReturnType<typeof capturingLogger>;
  newOrg: (name: string) => Promise<AgendaTestOrg>;
  /** A manager, a rep and a weekly series between them on the local calendar. */
  newSeries: (
    org: AgendaTestOrg,
    series: { weekday: string; startTime: string; timeZone: string; startDate: string; count?: number },
  ) => Promise<SeriesView>;
}

/**
 * Both services over real HTTP on loopback ports, each on its own database of this file, sharing
 * one internal token and one movable clock.
 */
export async function agendaHarness(
  label: string,
  opts: { start: string; scheduling?: Partial<SchedulingDeps>; agenda?: Partial<AgendaDeps> },
): Promise<AgendaHarness> {
  const clock = new TestClock(opts.start);
  const internalToken = randomBytes(32).toString('base64url');
  const schedulingDb = await useTestDatabase(`${label}_s`);
  const agendaDb = await useTestDatabase(`${label}_a`);
  const schedulingLogs = capturingLogger('scheduling');
  const agendaLogs = capturingLogger('agenda');

  const scheduling = createSchedulingApp({
    conn: schedulingDb.conn,
    logger: schedulingLogs.logger,
    metrics: createMetricsRegistry('scheduling'),
    now: clock.now,
    internalToken,
    ...opts.scheduling,
  });
  await ensureIndexes(schedulingDb.conn);
  await buildRecordedKeys(scheduling.ctx.models); // as the service does at start (a fresh database: at once)
  const schedulingUrl = (await serve(scheduling.app)).url;

  const agenda = createAgendaApp({
    conn: agendaDb.conn,
    logger: agendaLogs.logger,
    metrics: createMetricsRegistry('agenda'),
    schedulingUrl,
    internalToken,
    now: clock.now,
    ...opts.agenda,
  });
  await ensureIndexes(agendaDb.conn);
  await buildReportFacts(agenda.ctx); // as the service does at start (a fresh database: at once)
  const agendaUrl = (await serve(agenda.app)).url;

  const orgModels = organizationModels(schedulingDb.conn);
  const newOrg = async (name: string): Promise<AgendaTestOrg> => {
    const org = await createOrganization(orgModels, name);
    const { key } = await issueApiKey(orgModels, org.id, 'test');
    const auth = { authorization: `Bearer ${key}` };
    return { id: org.id, key, scheduling: httpClient(schedulingUrl, auth), agenda: httpClient(agendaUrl, auth) };
  };

  let people = 0;
  const newSeries: AgendaHarness['newSeries'] = async (org, series) => {
    const n = ++people;
    const person = async (name: string, role: string) =>
      (
        await org.scheduling
          .post('/v1/people', { name, email: `${role}${n}@example.com`, timeZone: series.timeZone, roles: [role] })
          .expect(201)
      ).body as { id: string };
    const manager = await person(`Mara Manager ${n}`, 'manager');
    const rep = await person(`Ray Rep ${n}`, 'rep');
    const created = await org.scheduling
      .post('/v1/series', { managerId: manager.id, repId: rep.id, location: 'Room 4', ...series })
      .expect(201);
    return created.body as SeriesView;
  };

  return {
    clock,
    internalToken,
    scheduling,
    schedulingUrl,
    agenda,
    agendaUrl,
    agendaDb: { uri: agendaDb.uri, dbName: agendaDb.dbName },
    schedulingLogs,
    agendaLogs,
    newOrg,
    newSeries,
  };
}

/** The keys of a series' occurrences in a range of local dates, in order. */
export async function occurrenceKeys(org: AgendaTestOrg, seriesId: string, from: string, to: string): Promise<string[]> {
  const res = await org.scheduling.get(`/v1/series/${seriesId}/occurrences?from=${from}&to=${to}`).expect(200);
  return (res.body.items as { key: string }[]).map((o) => o.key);
}

/** Another replica of the agenda service: its own connection to the same database, the same clock and token. */
export async function agendaReplica(h: AgendaHarness, name: string, deps: Partial<AgendaDeps> = {}): Promise<AgendaApp> {
  const conn = await connectDatabase(h.agendaDb.uri, h.agendaDb.dbName);
  afterAll(() => conn.close());
  return createAgendaApp({
    conn,
    logger: capturingLogger(name).logger,
    metrics: createMetricsRegistry('agenda'),
    schedulingUrl: h.schedulingUrl,
    internalToken: h.internalToken,
    now: h.clock.now,
    ...deps,
  });
}
