import { healJournal } from '@cadence/shared/db';
import { isDuplicateKeyError } from '@cadence/shared/http';
import type { AgendaContext } from '../../context.js';
import { agendaChange, homeworkChange, type FactChange } from './codec.js';
import { applyFactChanges } from './store.js';

/** The facts' layout: a new one (a changed codec) is built again from the documents. */
export const FACTS_LAYOUT = 'report-facts-1';
/** Entries held before they are written out (bounds the memory of a large backfill). */
const FLUSH_EVERY = 20_000;
const BATCH = 2_000;

/** Databases (by their model) known to have the facts built: that never becomes untrue. */
const built = new WeakSet<object>();

/** Whether the facts hold every agenda and homework item (until then reports read the documents). */
export async function factsBuilt(ctx: Pick<AgendaContext, 'models'>): Promise<boolean> {
  const { FactsBuilds } = ctx.models;
  if (!built.has(FactsBuilds) && (await FactsBuilds.exists({ _id: FACTS_LAYOUT }))) built.add(FactsBuilds);
  return built.has(FactsBuilds);
}

/**
 * Builds the facts from the agendas and homework written before they existed: once per database
 * and layout (the record in report_facts_builds says it is done), at every start until then.
 * Safe beside live writers and other replicas doing the same: it merges entries that never move
 * back, and writers running this code keep the facts up to date themselves meanwhile. Replicas of
 * an older version must be gone before it starts, or what they write later is missed.
 * It reads both collections whole (on FerretDB about 0.5 ms a document).
 */
export async function buildReportFacts(
  ctx: Pick<AgendaContext, 'models' | 'writes'>,
): Promise<{ built: boolean; documents: number }> {
  if (await factsBuilt(ctx)) return { built: false, documents: 0 };
  const { Agendas, Homework, Journal, FactsBuilds } = ctx.models;
  // version changes a dead writer left half done, first: the documents are read as they stand
  await healJournal(Journal, [{ model: Agendas }, { model: Homework }], new Date(0), new Date());
  let held: FactChange[] = [];
  let documents = 0;
  const add = async (change: FactChange) => {
    held.push(change);
    documents++;
    if (held.length < FLUSH_EVERY) return;
    await applyFactChanges(ctx, held);
    held = [];
  };
  const agendas = Agendas.find({})
    .select({ organizationId: 1, seriesId: 1, key: 1, items: 1, notes: 1, figures: 1, version: 1 })
    .lean()
    .cursor({ batchSize: BATCH });
  for await (const a of agendas) await add(agendaChange(a));
  const homework = Homework.find({})
    .select({ organizationId: 1, seriesId: 1, assignedKey: 1, status: 1, due: 1, statusChangedAt: 1, version: 1 })
    .lean()
    .cursor({ batchSize: BATCH });
  for await (const h of homework) await add(homeworkChange(h));
  await applyFactChanges(ctx, held);
  try {
    await FactsBuilds.create({ _id: FACTS_LAYOUT, completedAt: new Date() });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err; // another replica finished too
  }
  built.add(FactsBuilds);
  return { built: true, documents };
}
