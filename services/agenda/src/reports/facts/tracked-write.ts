import { rollForward } from '@cadence/shared/db';
import { newId } from '@cadence/shared/ids';
import type { AgendaContext } from '../../context.js';
import { agendaChange, homeworkChange, type FactChange } from './codec.js';
import { applyFactChanges } from './store.js';

/**
 * How long a pending marker may stand before the repair takes its writer for dead. A writer that
 * has taken a quarter of this refreshes its marker before it goes on, so a live writer's marker is
 * only taken unless one database call stalls for over 45 s.
 */
export const ORPHAN_MARKER_MS = 60_000;

/** The agenda or homework item a write is about. */
export interface FactSource {
  source: 'agenda' | 'homework';
  organizationId: string;
  sourceId: string;
}

type Ctx = Pick<AgendaContext, 'models' | 'writes' | 'logger'>;

/**
 * Runs a write of an agenda or homework item and brings its series' report facts in line.
 *
 * Without transactions the two writes can be torn apart (a process dies in between, the database
 * goes away), so a marker naming the source document is inserted first and deleted only once the
 * facts include the write:
 * - while a marker stands, reports read that document itself instead of trusting the facts
 *   (read.ts reads the markers before the facts, so a write that finished before a report began
 *   is either in the facts or still marked);
 * - a marker left by a dead writer is repaired after ORPHAN_MARKER_MS (repair.ts): the document
 *   is rolled forward through the journal as any reader would, and its entry written;
 * - entries carry the document's version and never move back, so late or repeated merges are harmless.
 * A failure after the source write is logged, not thrown: the write happened, and its marker
 * stands until the repair.
 */
export async function trackedWrite<T>(
  ctx: Ctx,
  target: FactSource,
  write: () => Promise<T>,
  changeOf: (result: T) => FactChange,
): Promise<T> {
  const { PendingFacts } = ctx.models;
  const marker = { _id: newId('rfp'), ...target, at: new Date() };
  await PendingFacts.create(marker);
  let result: T;
  try {
    result = await write();
  } catch (err) {
    // the write may have changed the document before it failed (a lost compare-and-set changes nothing)
    await settle(ctx, marker, () => syncFromSource(ctx, target));
    throw err;
  }
  await settle(ctx, marker, () => applyFactChanges(ctx, [changeOf(result)]));
  return result;
}

async function settle(ctx: Ctx, marker: FactSource & { _id: string; at: Date }, update: () => Promise<void>): Promise<void> {
  const { PendingFacts } = ctx.models;
  try {
    if (Date.now() - marker.at.getTime() > ORPHAN_MARKER_MS / 4) {
      // slow: the repair may be about to take the marker for an orphan (or has: write it again)
      const res = await PendingFacts.updateOne({ _id: marker._id }, { $set: { at: new Date() } });
      if (res.matchedCount === 0) await PendingFacts.create({ ...marker, at: new Date() });
    }
    await update();
    await PendingFacts.deleteOne({ _id: marker._id });
  } catch (err) {
    ctx.logger.warn({ err, ...marker }, 'report facts not updated; reports read the document until the repair');
  }
}

/**
 * The document's entry as the document stands now: a version change a dead writer left in the
 * journal is rolled forward first (what any later reader would do), so the entry cannot be
 * overtaken by it silently. Nothing when the document does not exist (an insert that failed).
 */
export async function syncFromSource(ctx: Pick<AgendaContext, 'models' | 'writes'>, target: FactSource): Promise<void> {
  const { Agendas, Homework, Journal } = ctx.models;
  const filter = { _id: target.sourceId, organizationId: target.organizationId };
  if (target.source === 'agenda') {
    let doc = await Agendas.findOne(filter).lean();
    while (doc && (await rollForward(Agendas, Journal, doc._id, doc.version))) doc = await Agendas.findOne(filter).lean();
    if (doc) await applyFactChanges(ctx, [agendaChange(doc)]);
  } else {
    let doc = await Homework.findOne(filter).lean();
    while (doc && (await rollForward(Homework, Journal, doc._id, doc.version))) doc = await Homework.findOne(filter).lean();
    if (doc) await applyFactChanges(ctx, [homeworkChange(doc)]);
  }
}
