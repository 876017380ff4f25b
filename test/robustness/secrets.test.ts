import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { developmentSecretsKey, SecretBox } from '@cadence/shared/crypto/secret-box';
import { googleOrg, googleSeries, googleSetup, KEYS, waitForType } from '../google/support.js';

/**
 * Every kind of secret Cadence handles, used for real: API keys, webhook signing secrets, Google
 * refresh and access tokens, push channel tokens, feed tokens. None may be readable in the
 * database, and none may appear in the logs written meanwhile.
 */
const s = await googleSetup('secrets');
const { org, manager, rep, hook, path } = await googleOrg(s, 'Acme', 'secrets');
const series = await googleSeries(org, manager.id, rep.id);
s.emulator.cancelInstance(manager.email, series.calendar.eventId, KEYS[1]!);
await waitForType(s, path, 'occurrence.cancelled');
const feed = (await org.api.post(`/v1/people/${rep.id}/feed`).expect(201)).body as { url: string };
await request(s.server.url).get(new URL(feed.url).pathname).expect(200);
const rotated = (await org.api.post(`/v1/webhooks/${hook.id}/rotate-secret`).expect(201)).body as { secret: string };

const connection = (await s.h.ctx.models.Connections.findOne({ personId: manager.id }).lean())!;
const refreshToken = new SecretBox(developmentSecretsKey()).open(connection.refreshTokenSealed, connection._id);
const channel = s.emulator.channels().find((c) => c.account === manager.email && c.state === 'active')!;

const secrets: Record<string, string> = {
  'API key secret': org.key.split('.')[1]!,
  'webhook secret': hook.secret.replace(/^whsec_/, ''),
  'rotated webhook secret': rotated.secret.replace(/^whsec_/, ''),
  'Google refresh token': refreshToken,
  'Google channel token': channel.token!,
  'feed token': new URL(feed.url).pathname.split('/').pop()!.replace('.ics', ''),
};

/** Every document of every collection of the scheduling database, as text. */
async function wholeDatabase(): Promise<string> {
  const db = s.h.ctx.models.People.db.db!;
  const names = (await db.listCollections().toArray()).map((c) => c.name);
  const docs = await Promise.all(names.map((n) => db.collection(n).find().toArray()));
  return JSON.stringify(docs);
}

describe('secrets at rest and in logs', () => {
  it('keeps every secret out of the database in plain text and out of the logs', async () => {
    expect(Object.keys(secrets).length).toBeGreaterThanOrEqual(6);
    for (const [what, value] of Object.entries(secrets)) expect(value.length, what).toBeGreaterThan(15);
    const dump = await wholeDatabase();
    // positive controls: the dump holds the data, the logs hold the requests
    expect(dump).toContain(manager.email);
    expect(dump).toContain(connection.refreshTokenSealed);
    const logs = s.h.logs.text();
    expect(logs).toContain('/hooks/google');
    expect(logs).toContain('/feeds/:file');
    for (const [what, value] of Object.entries(secrets)) {
      expect(dump.includes(value), `${what} readable in the database`).toBe(false);
      expect(logs.includes(value), `${what} in the logs`).toBe(false);
    }
  });
});
