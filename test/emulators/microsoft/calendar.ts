import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { badRequest, GraphError, notFound } from './errors.js';
import type { EventInput } from './event-input.js';
import { wrapHtml } from './event-input.js';
import { iCalUId, looksLikeEventId, newChangeKey, newEventId, occurrenceId, parseOccurrenceId } from './ids.js';
import type {
  Account,
  EventChange,
  EventFields,
  ExtendedProperty,
  Instance,
  ResponseStatus,
  StoredEvent,
  ViewItem,
} from './model.js';
import { expandSeries, normalizeRecurrence } from './recurrence.js';
import { localIsoDate, resolveZone } from './time.js';

const DEFAULTS: Omit<EventFields, 'start' | 'end' | 'startTimeZone' | 'endTimeZone'> = {
  subject: '',
  body: { contentType: 'html', content: '' },
  location: { displayName: '' },
  attendees: [],
  isReminderOn: true,
  reminderMinutesBeforeStart: 15,
  allowNewTimeProposals: true,
  importance: 'normal',
  sensitivity: 'normal',
  showAs: 'busy',
  categories: [],
  isAllDay: false,
  responseRequested: true,
  isOnlineMeeting: false,
};

const SHARED_FIELDS = Object.keys(DEFAULTS).concat(['start', 'end', 'startTimeZone', 'endTimeZone']);

/** An instance kept for every reader of it (Calendar.instances): its fields cannot be changed under them. */
const frozen = (i: Instance): Instance => Object.freeze({ ...i, fields: Object.freeze(i.fields) });

/**
 * The mailboxes and their calendars, and every way to change them. API routes and the control
 * API (a person in Outlook) both go through here, so they leave the same state and report the
 * same changes to `onChange` (which drives change notifications).
 */
export class Calendar {
  private readonly accounts = new Map<string, Account>();
  private readonly events = new Map<string, StoredEvent>();
  private readonly transactions = new Map<string, string>();

  constructor(
    private readonly now: () => Date,
    private readonly onChange: (changes: EventChange[]) => void,
  ) {}

  addAccount(email: string, displayName?: string): Account {
    const existing = this.findAccount(email);
    if (existing) return existing;
    const account = { userId: randomUUID(), email, displayName: displayName ?? email.split('@')[0] ?? email };
    this.accounts.set(account.userId, account);
    return account;
  }

  /** By object id or userPrincipalName, as `/users/{id | userPrincipalName}` accepts. */
  findAccount(ref: string): Account | undefined {
    const byId = this.accounts.get(ref);
    if (byId) return byId;
    const lower = ref.toLowerCase();
    return [...this.accounts.values()].find((a) => a.email.toLowerCase() === lower || a.userId.toLowerCase() === lower);
  }

  /** The account when there is exactly one (authorize without login_hint). */
  onlyAccount(): Account | undefined {
    return this.accounts.size === 1 ? [...this.accounts.values()][0] : undefined;
  }

  account(userId: string): Account {
    const account = this.accounts.get(userId);
    if (!account) throw new GraphError(404, 'ErrorInvalidUser', `The requested user '${userId}' is invalid.`);
    return account;
  }

  /** Single events and series masters of a mailbox, oldest first (what `GET /events` lists). */
  listEvents(userId: string): StoredEvent[] {
    return [...this.events.values()].filter((e) => e.userId === userId);
  }

  rawEvent(userId: string, id: string): StoredEvent | undefined {
    const event = this.events.get(id);
    return event && event.userId === userId ? event : undefined;
  }

  create(userId: string, input: EventInput): { event: StoredEvent; created: boolean } {
    const account = this.account(userId);
    if (input.transactionId) {
      const earlier = this.events.get(this.transactions.get(`${userId}|${input.transactionId}`) ?? '');
      if (earlier) return { event: earlier, created: false };
    }
    const { start, end, startTimeZone, endTimeZone } = input.fields;
    if (!start || !end || !startTimeZone || !endTimeZone) {
      throw badRequest('ErrorInvalidRequest', 'The start and end properties are required to create an event.');
    }
    if (end < start) throw badRequest('ErrorInvalidRequest', 'The end of the event must not be before its start.');
    const now = this.now();
    const fields: EventFields = { ...DEFAULTS, start, end, startTimeZone, endTimeZone, ...stripUndefined(input.fields) };
    fields.body = normalizeBody(fields.body);
    const recurrence = input.recurrence == null ? null : normalizeRecurrence(input.recurrence, startTimeZone);
    const changeKey = newChangeKey();
    const event: StoredEvent = {
      id: newEventId(),
      userId,
      type: recurrence ? 'seriesMaster' : 'singleInstance',
      createdAt: now,
      modifiedAt: now,
      changeKey,
      seriesChangeKey: changeKey,
      iCalUId: iCalUId(),
      transactionId: input.transactionId ?? null,
      organizer: { emailAddress: { name: account.displayName, address: account.email } },
      fields,
      recurrence,
      extendedProperties: mergeExtended([], input.extendedProperties ?? []),
      overrides: new Map(),
      removed: new Set(),
    };
    this.events.set(event.id, event);
    if (input.transactionId) this.transactions.set(`${userId}|${input.transactionId}`, event.id);
    this.onChange([{ userId, eventId: event.id, changeType: 'created' }]);
    return { event, created: true };
  }

  /** A stored event or an instance by id; 400 for malformed ids and 404 for unknown ones, as Graph. */
  resolve(userId: string, id: string): ViewItem {
    if (!looksLikeEventId(id)) throw badRequest('ErrorInvalidIdMalformed', 'Id is malformed.');
    const event = this.rawEvent(userId, id);
    if (event) return { kind: 'event', event };
    const occ = parseOccurrenceId(id);
    const master = occ ? this.rawEvent(userId, occ.masterId) : undefined;
    const instance = master && occ ? this.instanceOnDate(master, occ.originalDate) : undefined;
    if (!instance) throw notFound();
    return instance;
  }

  resolveMaster(userId: string, masterId: string): StoredEvent {
    const item = this.resolve(userId, masterId);
    if (item.kind !== 'event') throw notFound();
    return item.event;
  }

  /** The live instance of `master` that originally started at `originalStartMs`, if any. */
  instanceAt(master: StoredEvent, originalStartMs: number): Instance | undefined {
    if (!master.recurrence || master.removed.has(originalStartMs)) return undefined;
    if (!this.isOriginalStart(master, originalStartMs)) return undefined;
    return this.buildInstance(master, originalStartMs);
  }

  /** The live instance originally on `date` (yyyy-MM-dd in the recurrence time zone). */
  private instanceOnDate(master: StoredEvent, date: string): Instance | undefined {
    if (!master.recurrence) return undefined;
    const zone = resolveZone(master.recurrence.range.recurrenceTimeZone);
    const day = DateTime.fromISO(date, { zone });
    const durationMs = master.fields.end.toMillis() - master.fields.start.toMillis();
    const starts = expandSeries(this.seriesShape(master), day.minus({ milliseconds: durationMs }), day.plus({ days: 1 }));
    const start = starts.find((d) => d.setZone(zone).toISODate() === date);
    return start ? this.instanceAt(master, start.toMillis()) : undefined;
  }

  /**
   * Occurrences and exceptions overlapping [from, to) by their actual times, in start order. Kept
   * per master and window until the master changes (every change of a series, an occurrence or an
   * exception gives the master a new changeKey): a delta round lists every series of the mailbox,
   * and building each instance again was most of the emulator's CPU in a burst of Outlook syncs.
   */
  instances(master: StoredEvent, from: DateTime, to: DateTime): readonly Instance[] {
    if (!master.recurrence) return [];
    let kept = this.kept.get(master);
    if (kept?.changeKey !== master.changeKey)
      this.kept.set(master, (kept = { changeKey: master.changeKey, byWindow: new Map() }));
    const window = `${from.toMillis()}/${to.toMillis()}`;
    let list = kept.byWindow.get(window);
    if (!list) {
      list = Object.freeze(this.buildInstances(master, from, to).map(frozen));
      kept.byWindow.set(window, list);
    }
    return list;
  }

  private readonly kept = new WeakMap<StoredEvent, { changeKey: string; byWindow: Map<string, readonly Instance[]> }>();

  private buildInstances(master: StoredEvent, from: DateTime, to: DateTime): Instance[] {
    const originals = new Set(expandSeries(this.seriesShape(master), from, to).map((d) => d.toMillis()));
    for (const [ms, ov] of master.overrides) if (ov.fields.start) originals.add(ms);
    return [...originals]
      .filter((ms) => !master.removed.has(ms))
      .map((ms) => this.buildInstance(master, ms))
      .filter((i) => i.fields.start < to && i.fields.end > from)
      .sort(
        (a, b) =>
          a.fields.start.toMillis() - b.fields.start.toMillis() || a.originalStart.toMillis() - b.originalStart.toMillis(),
      );
  }

  /** A calendar view: single events and instances (never masters) overlapping [from, to). */
  viewItems(userId: string, from: DateTime, to: DateTime): ViewItem[] {
    const items: ViewItem[] = [];
    for (const event of this.listEvents(userId)) {
      if (event.type === 'seriesMaster') items.push(...this.instances(event, from, to));
      else if (event.fields.start < to && (event.fields.end > from || +event.fields.end === +event.fields.start)) {
        items.push({ kind: 'event', event });
      }
    }
    return items.sort((a, b) => fieldsOf(a).start.toMillis() - fieldsOf(b).start.toMillis());
  }

  update(userId: string, id: string, input: EventInput): ViewItem {
    const item = this.resolve(userId, id);
    return item.kind === 'event' ? this.updateStored(item.event, input) : this.updateInstance(item, input);
  }

  /** Deleting a master deletes the series; deleting an instance removes that occurrence. */
  delete(userId: string, id: string): void {
    const item = this.resolve(userId, id);
    if (item.kind === 'event') {
      this.events.delete(item.event.id);
      this.onChange([{ userId, eventId: item.event.id, changeType: 'deleted' }]);
      return;
    }
    this.removeOccurrence(item);
  }

  /** `POST /events/{id}/cancel`: the organizer cancels; in the organizer's calendar it is a delete. */
  cancel(userId: string, id: string): void {
    const item = this.resolve(userId, id);
    const event = item.kind === 'event' ? item.event : item.master;
    if (event.organizer.emailAddress.address.toLowerCase() !== this.account(userId).email.toLowerCase()) {
      throw badRequest('ErrorAccessDenied', "Your request can't be completed. You need to be an organizer to cancel a meeting.");
    }
    this.delete(userId, id);
  }

  /** An attendee answers for one occurrence; the organizer's copy tracks the response there. */
  respondToOccurrence(
    userId: string,
    masterId: string,
    originalStartMs: number,
    attendeeEmail: string,
    response: ResponseStatus['response'],
  ): Instance {
    const master = this.resolveMaster(userId, masterId);
    const instance = this.instanceAt(master, originalStartMs);
    if (!instance) throw notFound();
    const address = attendeeEmail.toLowerCase();
    if (!instance.fields.attendees.some((a) => a.emailAddress.address.toLowerCase() === address)) {
      throw badRequest('ErrorInvalidRecipients', `${attendeeEmail} is not an attendee of this occurrence.`);
    }
    const ov = this.overrideOf(master, originalStartMs);
    ov.responses.set(address, { response, time: isoNoFraction(this.now()) });
    this.touchOverride(master, ov);
    const updated = this.buildInstance(master, originalStartMs);
    this.onChange([
      { userId, eventId: updated.id, changeType: 'updated' },
      { userId, eventId: master.id, changeType: 'updated' },
    ]);
    return updated;
  }

  private updateStored(event: StoredEvent, input: EventInput): ViewItem {
    const changed = stripUndefined(input.fields);
    const next: EventFields = { ...event.fields, ...changed };
    if (changed.body) next.body = normalizeBody(changed.body);
    if (next.end < next.start) throw badRequest('ErrorInvalidRequest', 'The end of the event must not be before its start.');
    let recurrence = event.recurrence;
    if (input.recurrence !== undefined) {
      recurrence = input.recurrence === null ? null : normalizeRecurrence(input.recurrence, next.startTimeZone);
    }
    event.fields = next;
    event.recurrence = recurrence;
    event.type = recurrence ? 'seriesMaster' : 'singleInstance';
    if (input.extendedProperties) event.extendedProperties = mergeExtended(event.extendedProperties, input.extendedProperties);
    const seriesChanged = input.recurrence !== undefined || Object.keys(changed).some((k) => SHARED_FIELDS.includes(k));
    event.changeKey = newChangeKey();
    event.modifiedAt = this.now();
    if (seriesChanged) {
      event.seriesChangeKey = event.changeKey;
      this.pruneOccurrenceState(event);
    }
    this.onChange([{ userId: event.userId, eventId: event.id, changeType: 'updated' }]);
    return { kind: 'event', event };
  }

  private updateInstance(instance: Instance, input: EventInput): ViewItem {
    if (input.recurrence !== undefined)
      throw badRequest('ErrorInvalidRequest', 'The recurrence of an occurrence cannot be changed; update the series master.');
    const { master } = instance;
    const ms = instance.originalStart.toMillis();
    const changed = stripUndefined(input.fields);
    if (changed.body) changed.body = normalizeBody(changed.body);
    // Moving only the start keeps the occurrence's length, as dragging it in Outlook does.
    if (changed.start && !changed.end) changed.end = changed.start.plus(instance.fields.end.diff(instance.fields.start));
    const existed = master.overrides.has(ms);
    const ov = this.overrideOf(master, ms);
    const before = ov.fields;
    ov.fields = { ...ov.fields, ...changed };
    const merged = this.buildInstance(master, ms);
    if (merged.fields.end < merged.fields.start) {
      // refused: the occurrence stays as it was
      if (existed) ov.fields = before;
      else master.overrides.delete(ms);
      throw badRequest('ErrorInvalidRequest', 'The end of the event must not be before its start.');
    }
    this.touchOverride(master, ov);
    const updated = this.buildInstance(master, ms);
    this.onChange([
      { userId: master.userId, eventId: updated.id, changeType: 'updated' },
      { userId: master.userId, eventId: master.id, changeType: 'updated' },
    ]);
    return updated;
  }

  private removeOccurrence(instance: Instance): void {
    const { master } = instance;
    const ms = instance.originalStart.toMillis();
    master.removed.add(ms);
    master.overrides.delete(ms);
    master.changeKey = newChangeKey();
    master.modifiedAt = this.now();
    this.onChange([
      { userId: master.userId, eventId: instance.id, changeType: 'deleted' },
      { userId: master.userId, eventId: master.id, changeType: 'updated' },
    ]);
  }

  private overrideOf(master: StoredEvent, ms: number) {
    let ov = master.overrides.get(ms);
    if (!ov) {
      ov = { fields: {}, responses: new Map(), changeKey: newChangeKey(), modifiedAt: this.now() };
      master.overrides.set(ms, ov);
    }
    return ov;
  }

  /** An occurrence edit also rewrites the master in Exchange (its exception list changes). */
  private touchOverride(master: StoredEvent, ov: { changeKey: string; modifiedAt: Date }) {
    ov.changeKey = newChangeKey();
    ov.modifiedAt = this.now();
    master.changeKey = newChangeKey();
    master.modifiedAt = ov.modifiedAt;
  }

  /** After the pattern or times change, exceptions and removals of slots that no longer exist go. */
  private pruneOccurrenceState(event: StoredEvent): void {
    if (!event.recurrence) {
      event.overrides.clear();
      event.removed.clear();
      return;
    }
    for (const ms of [...event.overrides.keys()]) if (!this.isOriginalStart(event, ms)) event.overrides.delete(ms);
    for (const ms of [...event.removed]) if (!this.isOriginalStart(event, ms)) event.removed.delete(ms);
  }

  private isOriginalStart(master: StoredEvent, ms: number): boolean {
    const at = DateTime.fromMillis(ms, { zone: 'utc' });
    return expandSeries(this.seriesShape(master), at, at.plus({ milliseconds: 1 })).some((d) => d.toMillis() === ms);
  }

  private seriesShape(master: StoredEvent) {
    if (!master.recurrence) throw new Error('not a series');
    return {
      recurrence: master.recurrence,
      start: master.fields.start,
      durationMs: master.fields.end.toMillis() - master.fields.start.toMillis(),
    };
  }

  private buildInstance(master: StoredEvent, ms: number): Instance {
    const ov = master.overrides.get(ms);
    const originalStart = DateTime.fromMillis(ms, { zone: 'utc' });
    const durationMs = master.fields.end.toMillis() - master.fields.start.toMillis();
    const fields: EventFields = {
      ...master.fields,
      start: originalStart,
      end: DateTime.fromMillis(ms + durationMs, { zone: 'utc' }),
      ...ov?.fields,
    };
    if (ov && ov.responses.size > 0) {
      fields.attendees = fields.attendees.map((a) => {
        const status = ov.responses.get(a.emailAddress.address.toLowerCase());
        return status ? { ...a, status } : a;
      });
    }
    const isException = ov !== undefined && Object.keys(ov.fields).length > 0;
    const changeKey = ov?.changeKey ?? master.seriesChangeKey;
    return {
      kind: 'instance',
      id: occurrenceId(master.id, localIsoDate(ms, resolveZone(master.recurrence?.range.recurrenceTimeZone ?? 'UTC'))),
      master,
      originalStart,
      type: isException ? 'exception' : 'occurrence',
      fields,
      changeKey,
      modifiedAt: ov?.modifiedAt ?? master.modifiedAt,
      version: `${master.seriesChangeKey}/${ov?.changeKey ?? ''}`,
    };
  }
}

export function fieldsOf(item: ViewItem): EventFields {
  return item.kind === 'event' ? item.event.fields : item.fields;
}

export function idOf(item: ViewItem): string {
  return item.kind === 'event' ? item.event.id : item.id;
}

/** What delta compares between rounds: changes whenever the representation would. */
export function versionOf(item: ViewItem): string {
  return item.kind === 'event' ? item.event.changeKey : item.version;
}

function normalizeBody(body: EventFields['body']): EventFields['body'] {
  return body.contentType === 'html' ? { contentType: 'html', content: wrapHtml(body.content) } : body;
}

/** Extended properties are upserted by id; the GUID and type compare case-insensitively. */
function mergeExtended(current: ExtendedProperty[], incoming: ExtendedProperty[]): ExtendedProperty[] {
  const out = [...current];
  for (const prop of incoming) {
    const i = out.findIndex((p) => sameExtendedId(p.id, prop.id));
    if (i >= 0) out[i] = prop;
    else out.push(prop);
  }
  return out;
}

/** Graph: the Name part of an extended property id is case-sensitive, the rest is not. */
export function sameExtendedId(a: string, b: string): boolean {
  const split = (id: string) => {
    const m = /^(\S+)\s+(\{[^}]+\})\s+(Name|Id)\s+(.*)$/i.exec(id.trim());
    return m ? [m[1]?.toLowerCase(), m[2]?.toLowerCase(), m[3]?.toLowerCase(), m[4]] : [id];
  };
  const [x, y] = [split(a), split(b)];
  return x.length === y.length && x.every((part, i) => part === y[i]);
}

function stripUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function isoNoFraction(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}
