import type { OccurrenceView, SchedulingClient } from '@cadence/shared/clients/scheduling';
import { commitVersion } from '@cadence/shared/db';
import { conflict, notFound } from '@cadence/shared/http';
import type { AgendaContext } from '../context.js';
import { newId } from '@cadence/shared/ids';
import { currentOrNext } from '../occurrences/lookup.js';
import { ReadCache } from '@cadence/shared/cache/read-cache';
import { homeworkChange } from '../reports/facts/codec.js';
import { trackedWrite } from '../reports/facts/tracked-write.js';
import { decodeCursor, pageOf } from '@cadence/shared/http';
import { defaultDue } from './due.js';
import type { HomeworkDoc } from './models.js';
import type { Actor, AssignHomeworkInput, HomeworkStatus, HomeworkView, UpdateHomeworkInput } from './schemas.js';

const MAX_ATTEMPTS = 8;

export function toHomeworkView(doc: HomeworkDoc, now: Date): HomeworkView {
  const actor = (a: { role?: string | null; via: string }): Actor => ({
    role: (a.role ?? null) as Actor['role'],
    via: a.via as Actor['via'],
  });
  return {
    id: doc._id,
    seriesId: doc.seriesId,
    occurrenceKey: doc.assignedKey,
    title: doc.title,
    details: doc.details ?? '',
    owner: doc.owner as HomeworkView['owner'],
    due: doc.due.toISOString(),
    dueDefaulted: doc.dueDefaulted,
    status: doc.status as HomeworkStatus,
    overdue: doc.status === 'open' && doc.due < now,
    statusChangedAt: doc.statusChangedAt.toISOString(),
    statusChangedBy: actor(doc.statusChangedBy),
    reviewedAt: doc.reviewKey ?? null,
    history: doc.history.map((h) => ({ status: h.status as HomeworkStatus, at: h.at.toISOString(), by: actor(h.by) })),
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
  };
}

/** Where a status change comes from: who, how, and (from an agenda) which occurrence's review. */
export interface ChangeContext {
  actor: Actor;
  /** The occurrence whose agenda the change was made on; otherwise the current or next one is asked for. */
  occurrenceKey?: string | undefined;
  scheduling: SchedulingClient;
}

/** Cache keys of a series' homework per occurrence (see ReadCache). */
const homeworkEntries = (organizationId: string, seriesId: string) => `${organizationId}|${seriesId}|homework|`;

/** Homework: assigned at an occurrence, reviewed at the next ones until done or dropped. */
export class HomeworkService {
  constructor(
    private readonly ctx: AgendaContext,
    private readonly reads: ReadCache = new ReadCache(0),
  ) {}

  /** Assigns homework at an occurrence the caller has checked exists; a cancelled one is read-only. */
  async assign(
    organizationId: string,
    scheduling: SchedulingClient,
    occurrence: OccurrenceView,
    input: AssignHomeworkInput,
    actor: Actor,
  ): Promise<HomeworkDoc> {
    if (occurrence.state === 'cancelled') {
      throw conflict(`Occurrence ${occurrence.key} was cancelled; its agenda is read-only. Assign homework at the next one.`);
    }
    const now = this.ctx.now();
    const due = input.due ? new Date(input.due) : await defaultDue(scheduling, occurrence);
    const id = newId('hw');
    const create = () =>
      this.ctx.models.Homework.create({
        _id: id,
        organizationId,
        seriesId: occurrence.seriesId,
        assignedKey: occurrence.key,
        title: input.title,
        details: input.details,
        owner: input.owner,
        due,
        dueDefaulted: !input.due,
        status: 'open',
        statusChangedAt: now,
        statusChangedBy: actor,
        reviewKey: null,
        history: [{ status: 'open', at: now, by: actor }],
        version: 1,
        createdAt: now,
        updatedAt: now,
      }).then((doc) => doc.toObject());
    const doc = await trackedWrite(this.ctx, { source: 'homework', organizationId, sourceId: id }, create, homeworkChange);
    this.reads.forget(homeworkEntries(organizationId, occurrence.seriesId));
    return doc;
  }

  async get(organizationId: string, id: string): Promise<HomeworkDoc> {
    const doc = await this.ctx.models.Homework.findOne({ _id: id, organizationId }).lean();
    if (!doc) throw notFound(`No homework ${id}.`);
    return doc;
  }

  async list(
    organizationId: string,
    q: {
      seriesId?: string | undefined;
      status?: HomeworkStatus | undefined;
      owner?: string | undefined;
      overdue?: boolean | undefined;
      limit: number;
      cursor?: string | undefined;
    },
  ) {
    const after = decodeCursor(q.cursor);
    const now = this.ctx.now();
    const overdue =
      q.overdue === undefined
        ? {}
        : q.overdue
          ? { status: 'open', due: { $lt: now } }
          : { $or: [{ status: { $ne: 'open' } }, { due: { $gte: now } }] };
    const rows = await this.ctx.models.Homework.find({
      organizationId,
      ...(q.seriesId ? { seriesId: q.seriesId } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.owner ? { owner: q.owner } : {}),
      ...overdue,
      ...(after ? { _id: { $gt: after } } : {}),
    })
      .sort({ _id: 1 })
      .limit(q.limit + 1)
      .lean();
    return pageOf(
      rows.map((r) => toHomeworkView(r, now)),
      q.limit,
    );
  }

  /**
   * The homework of one occurrence: `review` is what was assigned earlier and is still open, or
   * was closed in this meeting's review (or between it and the previous one); `assigned` is what
   * this meeting gave out.
   */
  forOccurrence(organizationId: string, seriesId: string, key: string) {
    return this.reads.get(`${homeworkEntries(organizationId, seriesId)}${key}`, () =>
      this.readForOccurrence(organizationId, seriesId, key),
    );
  }

  private async readForOccurrence(organizationId: string, seriesId: string, key: string) {
    const rows = await this.ctx.models.Homework.find({
      organizationId,
      seriesId,
      $or: [{ assignedKey: key }, { assignedKey: { $lt: key }, $or: [{ status: 'open' }, { reviewKey: { $gte: key } }] }],
    })
      .sort({ assignedKey: 1, _id: 1 })
      .lean();
    return { review: rows.filter((r) => r.assignedKey < key), assigned: rows.filter((r) => r.assignedKey === key) };
  }

  /** Edits and status changes, compare-and-set on `version`; every status change is recorded. */
  async update(organizationId: string, id: string, input: UpdateHomeworkInput, change: ChangeContext): Promise<HomeworkDoc> {
    const doc = await trackedWrite(
      this.ctx,
      { source: 'homework', organizationId, sourceId: id },
      () => this.ctx.writes.run(id, () => this.write(organizationId, id, input, change)),
      homeworkChange,
    );
    // an item shows in the agendas from where it was assigned to where it was reviewed
    this.reads.forget(homeworkEntries(organizationId, doc.seriesId));
    return doc;
  }

  private async write(
    organizationId: string,
    id: string,
    input: UpdateHomeworkInput,
    change: ChangeContext,
  ): Promise<HomeworkDoc> {
    const { Homework, Journal } = this.ctx.models;
    let reviewKey: string | null | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const doc = await this.get(organizationId, id);
      const now = this.ctx.now();
      const statusChanges = input.status !== undefined && input.status !== doc.status;
      const set: Record<string, unknown> = {
        ...(input.title !== undefined ? { title: input.title } : {}),
        ...(input.details !== undefined ? { details: input.details } : {}),
        ...(input.owner !== undefined ? { owner: input.owner } : {}),
        ...(input.due !== undefined ? { due: new Date(input.due), dueDefaulted: false } : {}),
        updatedAt: now,
      };
      const actor = { ...change.actor, role: input.changedBy ?? change.actor.role };
      if (statusChanges) {
        if (input.status !== 'open' && reviewKey === undefined) reviewKey = await this.reviewKey(doc, change, now);
        Object.assign(set, {
          status: input.status,
          statusChangedAt: now,
          statusChangedBy: actor,
          reviewKey: input.status === 'open' ? null : reviewKey,
        });
      }
      if (statusChanges) set.history = [...doc.history, { status: input.status, at: now, by: actor }];
      if (await commitVersion(Homework, Journal, id, doc.version, set))
        return { ...doc, ...set, version: doc.version + 1 } as HomeworkDoc;
    }
    throw conflict('The homework changed concurrently; try again.');
  }

  /** The occurrence whose review a closed item is shown in last: where it was closed, else the coming one. */
  private async reviewKey(doc: HomeworkDoc, change: ChangeContext, now: Date): Promise<string> {
    if (change.occurrenceKey) return change.occurrenceKey;
    const coming = await currentOrNext(change.scheduling, doc.seriesId, now).catch(() => undefined);
    return coming && coming.key > doc.assignedKey ? coming.key : doc.assignedKey;
  }
}
