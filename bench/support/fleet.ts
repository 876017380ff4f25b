import { inParallel } from '@cadence/shared/process';
import type { ProviderDriver } from './providers.js';
import type { Api, Stack } from './stack.js';

export interface FleetSeries {
  id: string;
  eventId: string;
  provider: ProviderDriver;
  manager: { id: string; email: string };
  connectionId?: string;
}

export interface Fleet {
  organizationId: string;
  api: Api;
  series: FleetSeries[];
  /** The subscription's signing secret (`whsec_…`), to verify what the receiver got. */
  secret: string;
  /** Where the receiver files this fleet's webhooks. */
  path: string;
}

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const;

/**
 * A sales organization on the given providers: per provider `managers` managers, each with their
 * calendar connected through the emulator's consent flow and `reps` reps, one weekly series per
 * rep on the manager's calendar (ten reps fill Monday–Friday at 09:00 and 14:00), and one webhook
 * subscription to `eventTypes` at the receiver.
 */
export async function buildFleet(
  stack: Stack,
  drivers: ProviderDriver[],
  opts: { managers: number; reps: number; eventTypes: string[]; concurrency?: number },
): Promise<Fleet> {
  const { api, id: organizationId } = await stack.organization('Bench Sales');
  const concurrency = opts.concurrency ?? 8;
  const startDate = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  const person = (name: string, email: string, role: string) =>
    api<{ id: string; email: string }>('POST', '/v1/people', { name, email, timeZone: 'America/Chicago', roles: [role] });

  const managers = drivers.flatMap((provider) =>
    Array.from({ length: opts.managers }, (_, m) => ({ provider, m, email: `mgr${m}.${provider.name}@bench.example` })),
  );
  const series: FleetSeries[] = [];
  let done = 0;
  const started = Date.now();
  await inParallel(managers, concurrency, async ({ provider, m, email }) => {
    const manager = await person(`Manager ${m} ${provider.name}`, email, 'manager');
    await provider.connect(api, manager);
    for (let r = 0; r < opts.reps; r++) {
      const rep = await person(`Rep ${m}.${r} ${provider.name}`, `rep${m}.${r}.${provider.name}@bench.example`, 'rep');
      const created = await api<{ id: string; calendar: { eventId: string } }>('POST', '/v1/series', {
        managerId: manager.id,
        repId: rep.id,
        weekday: WEEKDAYS[r % 5],
        startTime: `${String(9 + 5 * (Math.floor(r / 5) % 2)).padStart(2, '0')}:${String(Math.floor(r / 10) % 60).padStart(2, '0')}`,
        timeZone: 'America/Chicago',
        startDate,
        calendar: provider.name,
      });
      series.push({ id: created.id, eventId: created.calendar.eventId, provider, manager });
    }
    done++;
    if (done % 10 === 0 || done === managers.length)
      stack.log(
        `  ${done}/${managers.length} managers connected, ${series.length} series (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      );
  });
  const path = '/bench';
  const hook = await api<{ id: string; secret: string }>('POST', '/v1/webhooks', {
    url: `${stack.receiver.url}${path}`,
    eventTypes: opts.eventTypes,
  });
  return { organizationId, api, series, secret: hook.secret, path };
}

/**
 * Waits until the service has nothing left to do: no notification in flight, no sync due, the
 * outbox fanned out and the webhook queue empty — `quietMs` in a row.
 */
export async function settle(stack: Stack, drivers: ProviderDriver[], quietMs = 1500, timeoutMs = 10 * 60_000) {
  const { models } = stack.built.ctx;
  const deadline = Date.now() + timeoutMs;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await Promise.all(drivers.map((d) => d.idle()));
    await stack.drain();
    const busy =
      (await models.SyncStates.countDocuments({ pending: true })) +
      (await models.OutboxUnfanned.countDocuments({})) +
      (await stack.built.webhooks.models.Queue.countDocuments({}));
    if (busy) quietSince = Date.now();
    else if (Date.now() - quietSince >= quietMs) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the service did not settle');
}
