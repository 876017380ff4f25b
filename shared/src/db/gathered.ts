import mongoose, { type FilterQuery, type Model, type UpdateQuery } from 'mongoose';
import { idLists } from './id-lists.js';

/*
 * Commands that many callers issue at about the same time, sent as one. In a burst of calendar
 * changes tens of change pipelines run at once, each a chain of small commands (a read by `_id`,
 * an insert, an update). A command costs FerretDB ~1 ms of CPU and this process ~0.5 ms (driver,
 * socket write) whatever it holds, and the burst is bound by that CPU. So, per collection and kind,
 * a call made while MAX_IN_FLIGHT such commands are under way waits for one to end and goes with
 * every call that came meanwhile (group commit): a lone caller is sent at once (in the event
 * loop's check phase, with whatever the same turn made), and under load the commands grow instead
 * of queueing one by one behind each other.
 */

/** Commands of one collection and kind under way at once; more calls wait and go together. */
const MAX_IN_FLIGHT = 2;
/**
 * Calls waiting this long behind commands that have not answered go anyway: one stalled command
 * must not hold every writer of its collection (each call used to be its own command).
 */
const STALL_MS = 250;

type Settle<R> = { resolve: (r: R) => void; reject: (err: unknown) => void };

/** Sends calls in groups: `send` answers each, in order (a Failed rejects that one). */
export class Gather<Op, R> {
  private queue: (Settle<R> & { op: Op })[] = [];
  private scheduled = false;
  private inFlight = 0;
  private stallTimer: NodeJS.Timeout | undefined;

  constructor(private readonly send: (ops: Op[]) => Promise<(R | Failed)[]>) {}

  run(op: Op): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || !this.queue.length) return;
    if (this.inFlight >= MAX_IN_FLIGHT) {
      this.stallTimer ??= setTimeout(() => {
        this.stallTimer = undefined;
        if (this.queue.length && !this.scheduled) this.flush();
      }, STALL_MS);
      return;
    }
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    // all of them: the driver splits a long write into ordered batches, and reads split their `_id` lists
    const batch = this.queue;
    this.queue = [];
    this.inFlight++;
    this.send(batch.map((b) => b.op))
      .then(
        (results) =>
          batch.forEach((b, i) => {
            const r = results[i];
            if (r instanceof Failed) b.reject(r.err);
            else b.resolve(r as R);
          }),
        (err: unknown) => batch.forEach((b) => b.reject(err)),
      )
      .finally(() => {
        this.inFlight--;
        this.schedule();
      });
  }
}

/** One call's failure within a command that did the others. */
export class Failed {
  constructor(readonly err: unknown) {}
}

/** Errors mongoose raises before sending, for a value that does not fit the schema. */
const CAST_ERRORS = new Set(['CastError', 'ValidationError', 'StrictModeError', 'ObjectParameterError']);

interface WriteErrorLike {
  index: number;
  code?: number;
  errmsg?: string;
  err?: { code?: number; errmsg?: string };
}

/** The per-call errors of a failed batch write, or rethrows when the whole command failed. */
function writeErrorsOf(err: unknown): Map<number, unknown> {
  const list = (err as { writeErrors?: WriteErrorLike[] | WriteErrorLike } | null)?.writeErrors;
  const errors = list === undefined ? [] : Array.isArray(list) ? list : [list];
  if (!errors.length) throw err;
  return new Map(
    errors.map((e) => {
      const code = e.code ?? e.err?.code;
      // what a single command would have thrown: callers tell a duplicate by its code (isDuplicateKeyError)
      const one = new mongoose.mongo.MongoServerError({ message: e.errmsg ?? e.err?.errmsg ?? 'write error', code });
      return [e.index, one] as const;
    }),
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any model: gatherers are kept per model
type AnyModel = Model<any>;

interface Gatherers {
  byId: Gather<string[], { _id: string }[]>;
  insert: Gather<Record<string, unknown>, undefined>;
  update: Gather<{ filter: FilterQuery<unknown>; update: UpdateQuery<unknown>; upsert: boolean }, undefined>;
  deleteByIds: Gather<string[], undefined>;
}

const perModel = new WeakMap<AnyModel, Gatherers>();

function gatherers(model: AnyModel): Gatherers {
  const known = perModel.get(model);
  if (known) return known;
  const g: Gatherers = {
    // one `$in` read for every caller's ids; each gets the documents it named (lean, shared between callers: read-only)
    byId: new Gather(async (lists) => {
      const ids = [...new Set(lists.flat())];
      const found = (
        await Promise.all(
          idLists(ids).map((part) =>
            // the driver's own find (what lean() gives, without mongoose's query building: ~0.15 ms a read);
            // one more than can come: a first batch that is full leaves FerretDB's cursor open for a getMore
            model.collection.find({ _id: { $in: part } } as never, { batchSize: part.length + 1 }).toArray(),
          ),
        )
      ).flat() as unknown as { _id: string }[];
      const byId = new Map(found.map((d) => [d._id, d]));
      return lists.map((list) => list.flatMap((id) => byId.get(id) ?? []));
    }),
    // unordered: a duplicate fails its own call only
    insert: new Gather(async (docs) => {
      try {
        await model.collection.insertMany(docs, { ordered: false });
        return docs.map(() => undefined);
      } catch (err) {
        const failed = writeErrorsOf(err);
        return docs.map((_, i) => (failed.has(i) ? new Failed(failed.get(i)) : undefined));
      }
    }),
    // ordered, as the callers issued them. A statement the server refuses fails every call of the
    // command: FerretDB names the wrong one (always the first) and stops there even when unordered,
    // so which others were applied is unknown; callers treat a failed write as perhaps applied
    update: new Gather(async (ops) => {
      try {
        await model.bulkWrite(
          ops.map(({ filter, update, upsert }) => ({ updateOne: { filter, update, upsert } })),
          { ordered: true },
        );
      } catch (err) {
        // mongoose refuses the whole command, before sending it, when one update does not cast: that one fails alone
        if (ops.length > 1 && CAST_ERRORS.has((err as Error).name))
          return Promise.all(
            ops.map(({ filter, update, upsert }) =>
              model.updateOne(filter, update, { upsert }).then(
                () => undefined,
                (one: unknown) => new Failed(one),
              ),
            ),
          );
        throw err;
      }
      return ops.map(() => undefined);
    }),
    // one `$in` delete for every caller's ids (a delete by `_id` has nothing to say to its caller)
    deleteByIds: new Gather(async (lists) => {
      const ids = [...new Set(lists.flat())];
      await Promise.all(idLists(ids).map((part) => model.collection.deleteMany({ _id: { $in: part } } as never)));
      return lists.map(() => undefined);
    }),
  };
  perModel.set(model, g);
  return g;
}

/** The documents with these `_id`s (lean; fewer when some do not exist), read with other callers' in one command. */
export function findByIds<T>(model: Model<T>, ids: string[]): Promise<T[]> {
  if (!ids.length) return Promise.resolve([]);
  return gatherers(model).byId.run(ids) as Promise<unknown[]> as Promise<T[]>;
}

/** Deletes the documents with these `_id`s, with other callers' in one command. */
export function deleteByIds<T>(model: Model<T>, ids: string[]): Promise<void> {
  if (!ids.length) return Promise.resolve();
  return gatherers(model).deleteByIds.run(ids);
}

/** The document with this `_id`, or null. */
export async function findById<T>(model: Model<T>, id: string): Promise<T | null> {
  return (await findByIds(model, [id]))[0] ?? null;
}

/**
 * `Model.create` of one document, sent with other callers' inserts: cast and validated as create
 * does; a duplicate `_id` rejects with the server's error (code 11000) as create's does.
 */
export function insertOne<T>(model: Model<T>, doc: Record<string, unknown>): Promise<void> {
  const built = new model(doc);
  const invalid = built.validateSync();
  if (invalid) return Promise.reject(invalid);
  return gatherers(model).insert.run(built.toBSON() as Record<string, unknown>);
}

/**
 * `Model.updateOne`, cast as it casts, sent with other callers' updates in the order issued; it
 * says nothing of whether it matched (a command of many statements counts them all together).
 */
export function updateOne<T>(
  model: Model<T>,
  filter: FilterQuery<T>,
  update: UpdateQuery<T>,
  options: { upsert?: boolean } = {},
): Promise<void> {
  return gatherers(model).update.run({
    filter: filter as FilterQuery<unknown>,
    update: update as UpdateQuery<unknown>,
    upsert: options.upsert ?? false,
  });
}
