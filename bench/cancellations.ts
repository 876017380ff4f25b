import { Webhook } from 'standardwebhooks';
import { processEnv } from '@cadence/shared/config';
import { occurrenceId } from '@cadence/scheduling/occurrences/models';
import { inParallel } from '@cadence/shared/process';
import { buildFleet, settle, type Fleet, type FleetSeries } from './support/fleet.js';
import { cpuProfile } from './support/cpu-profile.js';
import { cpuUse } from './support/cpu-use.js';
import { figure, percentile, report } from './support/figures.js';
import { providerDrivers } from './support/providers.js';
import { startStack, type Stack } from './support/stack.js';

/**
 * Benchmark 1 of issue 9, cancellation to webhook: 1,000 weekly series (BENCH_SERIES) over 100
 * connected calendars per provider (BENCH_MANAGERS; BENCH_REPS series per calendar overrides the
 * total), a webhook subscription to
 * occurrence.cancelled, then BENCH_CANCELLATIONS (200) occurrences cancelled at once in the
 * emulators (their control API, as a person in the calendar app would). Measured from each
 * cancellation to its signed webhook at the receiver; also duplicates, missing ones, provider API
 * calls per cancellation, and where the time went (stages read back from the database and the
 * emulator's records). Providers: BENCH_PROVIDERS (default: every driver in support/providers.ts).
 * The scheduling service runs in its own process (BENCH_REPLICAS=2: two, behind a round-robin
 * balancer; BENCH_SERVICES=inline: in this one, which also
 * prints the database time per command). BENCH_CPU_PROFILE=<file> profiles this process's CPU
 * during the burst. BENCH_BURSTS (1) bursts, one after another on the same fleet (the nth on each
 * series' nth meeting): the figures are then the median burst's, with the worst burst's p99 beside.
 * Then BENCH_TRICKLE (50) other series' meetings are cancelled one at a time, BENCH_TRICKLE_PER_S
 * (2) a second: the latency of a cancellation that does not queue behind 199 others.
 */
export async function run(): Promise<void> {
  const env = processEnv();
  const managers = Number(env.BENCH_MANAGERS ?? 100);
  const drivers = await providerDrivers(env.BENCH_PROVIDERS);
  // the issue's 1,000 series in all, spread over every calendar of every provider
  const reps = Number(env.BENCH_REPS ?? Math.max(1, Math.round(Number(env.BENCH_SERIES ?? 1000) / (managers * drivers.length))));
  const count = Number(env.BENCH_CANCELLATIONS ?? 200);
  const bursts = Math.max(1, Number(env.BENCH_BURSTS ?? 1));
  const trickleCount = Number(env.BENCH_TRICKLE ?? 50);
  const tricklePaceMs = 1000 / Number(env.BENCH_TRICKLE_PER_S ?? 2);
  // the services in their own process by default, as production runs them apart from Google and
  // Microsoft; BENCH_SERVICES=inline runs them here (BENCH_CPU_PROFILE then profiles them too)
  const inProcess = env.BENCH_SERVICES === 'inline';
  const stack = await startStack(
    'cancellations',
    () => Object.assign({}, ...drivers.map((d) => d.deps())),
    inProcess
      ? { inProcess }
      : {
          inProcess,
          serviceEnv: (url) => Object.assign({}, ...drivers.map((d) => d.serviceEnv(url))),
          // BENCH_SERVICE_CPU_PROFILE_DIR: the service writes a .cpuprofile of its whole run there when it exits
          cpuProfileDir: env.BENCH_SERVICE_CPU_PROFILE_DIR,
          // BENCH_REPLICAS=2: two service processes on the one database behind a balancer
          replicas: Number(env.BENCH_REPLICAS ?? 1),
        },
  );
  const { log } = stack;
  try {
    for (const d of drivers) d.serviceListening(stack.server.url);
    stack.startWorkers();
    log(`setting up ${drivers.map((d) => d.name).join(' + ')}: ${managers} calendars × ${reps} series each…`);
    const fleet = await buildFleet(stack, drivers, { managers, reps, eventTypes: ['occurrence.cancelled'] });
    await settle(stack, drivers);

    // the first meeting of `count` series spread evenly over the calendars; the trickle's between them
    const step = fleet.series.length / count;
    const spread = (n: number, offset: number) =>
      Array.from({ length: n }, (_, i) => fleet.series[Math.floor(i * step + offset)]!);
    const timeoutMs = Number(env.BENCH_TIMEOUT_MS ?? 120_000);
    const trickle = await pickTargets(fleet, spread(Math.min(trickleCount, count), step / 2), 0);
    const callsBefore = drivers.map((d) => d.apiCalls());
    // BENCH_BURSTS rounds on the one fleet, the nth on each series' nth meeting: this machine's
    // figures vary by a third from run to run, and one burst alone could not tell a change from that
    const rounds: Burst[] = [];
    for (let round = 0; round < bursts; round++) {
      const targets = await pickTargets(fleet, spread(count, 0), round);
      log(`${bursts > 1 ? `burst ${round + 1} of ${bursts}: ` : ''}cancelling ${targets.length} occurrences at once…`);
      // the CPU profile covers the first burst
      rounds.push(
        await burst({ stack, drivers, fleet, inProcess, timeoutMs }, targets, round === 0 ? env.BENCH_CPU_PROFILE : undefined),
      );
      // the next burst starts from a quiet service, as the first did
      if (round + 1 < bursts) await settle(stack, drivers);
    }
    const calls = drivers.reduce((sum, d, i) => sum + d.apiCalls() - callsBefore[i]!, 0);
    const targets = rounds.flatMap((r) => r.targets);

    log(`cancelling ${trickle.length} more, one every ${Math.round(tricklePaceMs)} ms…`);
    const trickleStart = Date.now();
    const sent = trickle.map(async (t, i) => {
      await new Promise((r) => setTimeout(r, trickleStart + i * tricklePaceMs - Date.now()));
      t.sentAt = Date.now();
      await t.series.provider.cancel(t.series.manager, t.series.eventId, t.key);
    });
    await Promise.all(sent);
    await arrival(stack, fleet, trickle, timeoutMs);
    await printStages(stack, drivers, fleet, trickle, trickleStart);
    // late duplicates have their chance to show up
    await settle(stack, drivers, 2000);

    const got = received(stack, fleet);
    const byKey = new Map<string, number[]>();
    for (const r of got) byKey.set(r.id, [...(byKey.get(r.id) ?? []), r.at]);
    // each burst's own percentiles; the headline is the median burst's, the worst printed beside it
    const perBurst = rounds.map((r) => {
      const l = latenciesOf(r.targets, byKey);
      return { p50: percentile(l, 50), p95: percentile(l, 95), p99: percentile(l, 99), max: l[l.length - 1] ?? NaN };
    });
    // the median; of an even number of bursts, the higher of the middle two (the stricter)
    const middle = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    if (bursts > 1)
      perBurst.forEach((b, i) =>
        log(`burst ${i + 1}: p50 ${Math.round(b.p50)} ms, p99 ${Math.round(b.p99)} ms, CPU ${JSON.stringify(rounds[i]!.cpu)}`),
      );
    const trickleLatencies = latenciesOf(trickle, byKey);
    const wanted = new Set([...targets, ...trickle].map((t) => t.id));
    const delivered = targets.filter((t) => byKey.has(t.id)).length;
    const duplicates = [...byKey.values()].reduce((n, times) => n + times.length - 1, 0);
    const unexpected = [...byKey.keys()].filter((k) => !wanted.has(k)).length;
    const missing = wanted.size - [...wanted].filter((id) => byKey.has(id)).length;

    report(
      'cancellations',
      {
        p50: figure(middle(perBurst.map((b) => b.p50)), 'ms'),
        p95: figure(middle(perBurst.map((b) => b.p95)), 'ms'),
        p99: figure(middle(perBurst.map((b) => b.p99)), 'ms', '<', 1000),
        ...(bursts > 1 ? { p99WorstBurst: figure(Math.max(...perBurst.map((b) => b.p99)), 'ms', '<', 1000) } : {}),
        max: figure(Math.max(...perBurst.map((b) => b.max)), 'ms'),
        delivered: figure(delivered, 'of ' + targets.length, '==', targets.length),
        trickleP50: figure(percentile(trickleLatencies, 50), 'ms'),
        trickleP99: figure(percentile(trickleLatencies, 99), 'ms'),
        trickleDelivered: figure(trickleLatencies.length, 'of ' + trickle.length, '==', trickle.length),
        duplicates: figure(duplicates, 'webhooks', '==', 0),
        missing: figure(missing, 'cancellations', '==', 0),
        unexpected: figure(unexpected, 'webhooks', '==', 0),
        apiCallsPerCancellation: figure(calls / targets.length, 'calls', '<=', 2),
      },
      {
        providers: drivers.map((d) => d.name),
        calendars: managers * drivers.length,
        series: fleet.series.length,
        cancellations: count,
        burstCount: bursts,
        trickle: { cancellations: trickle.length, paceMs: Math.round(tricklePaceMs) },
        apiCalls: calls,
        bursts: rounds.map((r, i) => ({ sentInMs: r.burstMs, cpu: r.cpu, ...perBurst[i] })),
        services: inProcess
          ? 'in the benchmark process'
          : `${stack.servicePids.length} own process${stack.servicePids.length > 1 ? 'es' : ''}`,
        settings: {
          webhookPollMs: stack.config.WEBHOOK_POLL_INTERVAL_MS,
          outboxRelayMs: stack.config.OUTBOX_RELAY_INTERVAL_MS,
          syncPollMs: stack.config.SYNC_POLL_INTERVAL_MS,
          maxInFlight: stack.config.WEBHOOK_MAX_IN_FLIGHT,
        },
      },
    );
  } finally {
    await stack.close();
    for (const d of drivers) await d.close();
  }
}

type Burst = Awaited<ReturnType<typeof burst>>;

/** `targets` cancelled at once, awaited at the receiver; prints its CPU, command table (inline) and stages. */
async function burst(
  on: { stack: Stack; drivers: Awaited<ReturnType<typeof providerDrivers>>; fleet: Fleet; inProcess: boolean; timeoutMs: number },
  targets: Target[],
  cpuProfileFile: string | undefined,
) {
  const { stack, drivers, fleet, inProcess } = on;
  const { log } = stack;
  const pids = stack.servicePids;
  stack.profile.reset();
  const cpu = await cpuProfile(cpuProfileFile, log);
  const use = await cpuUse({
    ...Object.fromEntries(pids.map((pid, i) => [pids.length > 1 ? `service${i + 1}` : 'service', pid])),
    database: stack.databasePid,
  });
  const burstStart = Date.now();
  await Promise.all(
    targets.map(async (t) => {
      t.sentAt = Date.now();
      await t.series.provider.cancel(t.series.manager, t.series.eventId, t.key);
    }),
  );
  const burstMs = Date.now() - burstStart;
  await arrival(stack, fleet, targets, on.timeoutMs);
  const burstCpu = await use.stop();
  await cpu.stop();
  log(`burst sent in ${burstMs} ms; ${received(stack, fleet).length} signed webhooks received in all`);
  log(
    `CPU from the first cancellation to the last webhook (${burstCpu.wallS} s), in cores of ${burstCpu.machineCores}: ` +
      Object.entries(burstCpu)
        .filter(([k]) => k.endsWith('Cores') && k !== 'machineCores')
        .map(
          ([k, v]) =>
            `${k === 'benchProcessCores' ? `this process (emulators, receiver${inProcess ? ', services' : ''})` : k.replace('Cores', '')} ${v}`,
        )
        .join(', '),
  );
  // the command table comes from this process's connection: the services' own when they run here
  if (inProcess) stack.profile.print(log);
  await printStages(stack, drivers, fleet, targets, burstStart);
  return { targets, burstMs, cpu: burstCpu };
}

/** Until every target's webhook has arrived, or `timeoutMs` (what is missing then is counted). */
async function arrival(stack: Stack, fleet: Fleet, targets: Target[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const wanted = targets.map((t) => t.id);
  const arrived = () => new Set(received(stack, fleet).map((r) => r.id));
  for (let seen = arrived(); Date.now() < deadline && wanted.some((id) => !seen.has(id)); seen = arrived())
    await new Promise((r) => setTimeout(r, 50));
}

/** Each delivered target's first webhook minus its cancellation, ascending. */
const latenciesOf = (targets: Target[], byKey: Map<string, number[]>) =>
  targets
    .filter((t) => byKey.has(t.id))
    .map((t) => Math.min(...byKey.get(t.id)!) - t.sentAt)
    .sort((a, b) => a - b);

interface Target {
  series: FleetSeries;
  key: string;
  /** `seriesId|occurrenceKey` */
  id: string;
  sentAt: number;
}

/** Each series' `nth` meeting from today (0: the next one; a cancelled one still counts). */
async function pickTargets(fleet: Fleet, series: FleetSeries[], nth: number): Promise<Target[]> {
  const from = new Date().toISOString().slice(0, 10);
  const to = new Date(Date.now() + (21 + 7 * nth) * 86_400_000).toISOString().slice(0, 10);
  const targets: Target[] = [];
  await inParallel(series, 8, async (s) => {
    const { items } = await fleet.api<{ items: { key: string }[] }>(
      'GET',
      `/v1/series/${s.id}/occurrences?from=${from}&to=${to}`,
    );
    const key = items[nth]?.key;
    if (!key) throw new Error(`series ${s.id} has no meeting ${nth + 1} in the next ${3 + nth} weeks`);
    targets.push({ series: s, key, id: `${s.id}|${key}`, sentAt: 0 });
  });
  return targets;
}

/**
 * Every request at the receiver, its signature verified (a bad one throws), as `seriesId|key` and
 * time. Each request is verified once: the benchmark runs in the services' process, and verifying
 * every request at every 50 ms poll (for each awaited id, as it first did) took ~60 % of its CPU.
 */
const verified = new WeakMap<object, { id: string; at: number }>();
function received(stack: Stack, fleet: Fleet): { id: string; at: number }[] {
  const verifier = new Webhook(fleet.secret);
  return stack.receiver.at(fleet.path).map((r) => {
    const known = verified.get(r);
    if (known) return known;
    const payload = verifier.verify(r.body, r.headers as Record<string, string>) as {
      type: string;
      data: { seriesId: string; occurrenceKey: string };
    };
    const row = { id: `${payload.data.seriesId}|${payload.data.occurrenceKey}`, at: r.receivedAt };
    verified.set(r, row);
    return row;
  });
}

/**
 * Where the time went, per cancellation, from what the emulator and the database recorded:
 * notification answered → sync claimed (journal entry) → pipeline start (events.list answered,
 * series loaded: the history entry) → outbox insert → fanned out (delivery created) → send
 * started (attempt) → POST received. Printed as p50/p99 of each step.
 */
async function printStages(
  stack: Stack,
  drivers: Awaited<ReturnType<typeof providerDrivers>>,
  fleet: Fleet,
  targets: Target[],
  since: number,
) {
  const { models } = stack.built.ctx;
  const notified = new Map<string, number[]>();
  for (const d of drivers) for (const [cal, times] of d.notifiedAt()) notified.set(cal, times);
  const connections = await models.Connections.find({ organizationId: fleet.organizationId }).lean();
  const connectionOf = new Map(connections.map((c) => [c.personId, c._id]));
  const claims = await models.Journal.find({ _id: /^sync_states:/, at: { $gte: new Date(since) } }).lean();
  const claimsOf = new Map<string, number[]>();
  for (const c of claims) {
    const id = /^sync_states:(.+)@\d+$/.exec(c._id)?.[1];
    if (id) claimsOf.set(id, [...(claimsOf.get(id) ?? []), c.at.getTime()]);
  }
  const occurrences = new Map(
    (await models.Occurrences.find({ _id: { $in: targets.map((t) => occurrenceId(t.series.id, t.key)) } }).lean()).map((o) => [
      o._id,
      o,
    ]),
  );
  const outbox = new Map(
    (await models.Outbox.find({ organizationId: fleet.organizationId, type: 'occurrence.cancelled' }).lean()).map((e) => [
      `${e.seriesId}|${e.occurrenceKey}`,
      e,
    ]),
  );
  const deliveries = new Map(
    (await stack.built.webhooks.models.Deliveries.find({ eventId: { $in: [...outbox.values()].map((e) => e._id) } }).lean()).map(
      (d) => [d.eventId, d],
    ),
  );
  const receipts = new Map<string, number>();
  for (const r of received(stack, fleet)) if (!receipts.has(r.id)) receipts.set(r.id, r.at);

  const after = (times: number[] | undefined, t: number) => times?.filter((x) => x >= t).sort((a, b) => a - b)[0];
  const names = [
    'notification answered',
    'sync claimed',
    'pipeline start',
    'outbox written',
    'fanned out',
    'send started',
    'POST received',
  ];
  const steps: number[][] = names.map(() => []);
  let slowest: { total: number; stamps: (number | undefined)[] } | undefined;
  for (const t of targets) {
    const event = outbox.get(t.id);
    const delivery = event && deliveries.get(event._id);
    const n = after(notified.get(t.series.manager.email.toLowerCase()), t.sentAt);
    const connection = connectionOf.get(t.series.manager.id);
    const claimed = n !== undefined && connection ? after(claimsOf.get(connection), n - 5) : undefined;
    const history = occurrences.get(occurrenceId(t.series.id, t.key))?.history.find((h) => h.change === 'cancelled');
    const stamps = [
      t.sentAt,
      n,
      claimed,
      history?.detectedAt.getTime(),
      event?.createdAt.getTime(),
      delivery?.createdAt.getTime(),
      delivery?.attempts[0]?.at.getTime(),
      receipts.get(t.id),
    ];
    for (let i = 1; i < stamps.length; i++) {
      const [a, b] = [stamps[i - 1], stamps[i]];
      if (a !== undefined && b !== undefined) steps[i - 1]!.push(b - a);
    }
    const total = (stamps[stamps.length - 1] ?? Infinity) - t.sentAt;
    if (!slowest || total > slowest.total) slowest = { total, stamps };
  }
  stack.log(`syncs claimed since the first cancellation: ${claims.length}, over ${claimsOf.size} calendars`);
  stack.log('stage (from the one before)      p50 ms   p99 ms   (n)');
  names.forEach((name, i) => {
    const s = steps[i]!.sort((a, b) => a - b);
    stack.log(
      `  ${name.padEnd(30)} ${String(Math.round(percentile(s, 50))).padStart(7)} ${String(Math.round(percentile(s, 99))).padStart(8)}   (${s.length})`,
    );
  });
  if (slowest) {
    const at = slowest.stamps.map((s) => (s === undefined ? '?' : String(s - slowest.stamps[0]!)));
    stack.log(`  slowest (${Math.round(slowest.total)} ms), ms after its cancellation: ${at.slice(1).join(' → ')}`);
  }
}
