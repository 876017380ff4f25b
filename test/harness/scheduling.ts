import type { Connection } from 'mongoose';
import request from 'supertest';
import { afterAll } from 'vitest';
import { createMetricsRegistry } from '@cadence/shared/http';
import { createSchedulingApp, type SchedulingApp, type SchedulingDeps } from '@cadence/scheduling/app';
import { organizationModels } from '@cadence/scheduling/organizations/models';
import { issueApiKey } from '@cadence/scheduling/organizations/api-keys';
import { createOrganization } from '@cadence/scheduling/organizations/organizations';
import { connectDatabase, ensureIndexes } from '@cadence/shared/db';
import { capturingLogger } from './capture-logs.js';
import { testMongoUri, useTestDatabase } from './database.js';

export interface TestOrg {
  id: string;
  key: string;
  /** supertest with this organization's key on every request */
  api: {
    get: (path: string) => request.Test;
    post: (path: string, body?: object) => request.Test;
    patch: (path: string, body?: object) => request.Test;
    put: (path: string, body?: object) => request.Test;
    delete: (path: string) => request.Test;
  };
}

export interface SchedulingHarness extends SchedulingApp {
  logs: ReturnType<typeof capturingLogger>;
  dbName: string;
  newOrg: (name: string) => Promise<TestOrg>;
}

/** The scheduling app on this file's own database, with a way to make organizations and keys. */
export async function schedulingHarness(
  label: string,
  opts: Partial<Omit<SchedulingDeps, 'conn' | 'logger' | 'metrics'>> & {
    /** A connection of the test's own (e.g. through a proxy it can cut); default: a fresh test database. */
    database?: { conn: Connection; dbName: string };
  } = {},
): Promise<SchedulingHarness> {
  const { database, ...deps } = opts;
  const { conn, dbName } = database ?? (await useTestDatabase(label));
  const logs = capturingLogger('scheduling');
  const built = createSchedulingApp({ conn, logger: logs.logger, metrics: createMetricsRegistry('scheduling'), ...deps });
  await ensureIndexes(conn);
  const models = organizationModels(conn);
  const newOrg = async (name: string): Promise<TestOrg> => {
    const org = await createOrganization(models, name);
    const { key } = await issueApiKey(models, org.id, 'test');
    const auth = (t: request.Test) => t.set('authorization', `Bearer ${key}`);
    return {
      id: org.id,
      key,
      api: {
        get: (path) => auth(request(built.app).get(path)),
        post: (path, body) => auth(request(built.app).post(path)).send(body ?? {}),
        patch: (path, body) => auth(request(built.app).patch(path)).send(body ?? {}),
        put: (path, body) => auth(request(built.app).put(path)).send(body ?? {}),
        delete: (path) => auth(request(built.app).delete(path)),
      },
    };
  };
  return { ...built, logs, dbName, newOrg };
}

/**
 * Another replica of the scheduling app on the database `dbName`: its own connection (closed after
 * the file's tests), logger and metrics; its workers start when the caller starts them.
 */
export async function schedulingReplica(
  dbName: string,
  deps: Partial<Omit<SchedulingDeps, 'conn' | 'logger' | 'metrics'>> = {},
): Promise<SchedulingApp> {
  const conn = await connectDatabase(testMongoUri(), dbName);
  afterAll(() => conn.close());
  return createSchedulingApp({
    conn,
    logger: capturingLogger('scheduling-2').logger,
    metrics: createMetricsRegistry('scheduling-2'),
    ...deps,
  });
}

/** A manager and a rep in an organization, ready for a series. */
export async function pair(org: TestOrg, tz = 'America/New_York', suffix = '') {
  const manager = await org.api
    .post('/v1/people', { name: `Mara Manager${suffix}`, email: `mara${suffix}@example.com`, timeZone: tz, roles: ['manager'] })
    .expect(201);
  const rep = await org.api
    .post('/v1/people', { name: `Ray Rep${suffix}`, email: `ray${suffix}@example.com`, timeZone: tz, roles: ['rep'] })
    .expect(201);
  return { manager: manager.body as { id: string; email: string }, rep: rep.body as { id: string; email: string } };
}

/** A manager, a rep and a weekly series between them: Tuesdays 09:00 New York from 2026-10-20 unless `extra` says otherwise. */
export async function weeklySeries(org: TestOrg, suffix = '', extra: Record<string, unknown> = {}) {
  const { manager, rep } = await pair(org, 'America/New_York', suffix);
  const res = await org.api
    .post('/v1/series', {
      managerId: manager.id,
      repId: rep.id,
      weekday: 'tuesday',
      startTime: '09:00',
      timeZone: 'America/New_York',
      startDate: '2026-10-20',
      ...extra,
    })
    .expect(201);
  return { seriesId: res.body.id as string, series: res.body as { id: string }, manager, rep };
}
