import { commitVersion } from '@cadence/shared/db';
import { badRequest, conflict, HttpProblem, notFound } from '@cadence/shared/http';
import type { Caller } from '../auth/authenticate.js';
import type { AgendaContext } from '../context.js';
import { newId } from '@cadence/shared/ids';
import { decodeCursor, pageOf } from '@cadence/shared/http';
import type { TemplateDoc } from './models.js';
import { timeBoxMismatch, type TemplateInput, type TemplateItem, type TemplateView } from './schemas.js';
import { STANDARD_TEMPLATE_ID, standardTemplate } from './standard.js';

const MAX_ATTEMPTS = 8;

export function toTemplateView(doc: TemplateDoc): TemplateView {
  return {
    id: doc._id,
    name: doc.name,
    builtIn: false,
    version: doc.version,
    durationMinutes: doc.durationMinutes,
    items: doc.items.map((i) => ({ id: i.id, title: i.title, guidance: i.guidance ?? '', minutes: i.minutes })),
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
  };
}

/** Item ids are positions (`i1`, `i2`…) within a version: agendas address items by them. */
const withIds = (items: TemplateInput['items']): TemplateItem[] => items.map((item, n) => ({ id: `i${n + 1}`, ...item }));

/** Agenda templates: the built-in standard and each organization's own, versioned. */
export class TemplateService {
  constructor(private readonly ctx: AgendaContext) {}

  /** The built-in template heads the first page; the organization's own follow in creation order. */
  async list(organizationId: string, q: { limit: number; cursor?: string | undefined }) {
    const after = decodeCursor(q.cursor);
    // `standard` sorts before every `tpl_…` id, so it can stand in the id order like a stored one
    const rows = after === undefined || after < STANDARD_TEMPLATE_ID ? [standardTemplate] : [];
    const own = await this.ctx.models.Templates.find({ organizationId, ...(after ? { _id: { $gt: after } } : {}) })
      .sort({ _id: 1 })
      .limit(q.limit + 1)
      .lean();
    return pageOf([...rows, ...own.map(toTemplateView)], q.limit);
  }

  async get(organizationId: string, id: string): Promise<TemplateView> {
    if (id === STANDARD_TEMPLATE_ID) return standardTemplate;
    const doc = await this.ctx.models.Templates.findOne({ _id: id, organizationId }).lean();
    if (!doc) throw notFound(`No agenda template ${id}.`);
    return toTemplateView(doc);
  }

  async version(organizationId: string, id: string, version: number): Promise<TemplateView> {
    const current = await this.get(organizationId, id);
    if (current.builtIn) {
      if (version !== current.version) throw notFound(`The standard template has no version ${version}.`);
      return current;
    }
    const doc = (await this.ctx.models.Templates.findOne({ _id: id, organizationId }).lean())!;
    const v = doc.versions.find((x) => x.version === version);
    if (!v) throw notFound(`Agenda template ${id} has no version ${version}.`);
    return {
      ...current,
      version: v.version,
      name: v.name,
      durationMinutes: v.durationMinutes,
      items: v.items.map((i) => ({ id: i.id, title: i.title, guidance: i.guidance ?? '', minutes: i.minutes })),
      updatedAt: v.createdAt.toISOString(),
    };
  }

  async create(organizationId: string, input: TemplateInput): Promise<TemplateView> {
    const now = this.ctx.now();
    const items = withIds(input.items);
    const doc = await this.ctx.models.Templates.create({
      _id: newId('tpl'),
      organizationId,
      name: input.name,
      durationMinutes: input.durationMinutes,
      items,
      version: 1,
      versions: [{ version: 1, name: input.name, durationMinutes: input.durationMinutes, items, createdAt: now }],
      createdAt: now,
      updatedAt: now,
    });
    return toTemplateView(doc.toObject());
  }

  /** A new version; agendas already made keep theirs, agendas made from now on use this one. */
  update(organizationId: string, id: string, input: TemplateInput): Promise<TemplateView> {
    if (id === STANDARD_TEMPLATE_ID)
      return Promise.reject(conflict('The standard template is built in and cannot change; create your own.'));
    return this.ctx.writes.run(id, () => this.write(organizationId, id, input));
  }

  private async write(organizationId: string, id: string, input: TemplateInput): Promise<TemplateView> {
    const { Templates, SeriesSettings, Journal } = this.ctx.models;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const doc = await Templates.findOne({ _id: id, organizationId }).lean();
      if (!doc) throw notFound(`No agenda template ${id}.`);
      if (input.durationMinutes !== doc.durationMinutes) {
        const users = await SeriesSettings.countDocuments({ organizationId, templateId: id });
        if (users > 0) {
          throw conflict(`${users} series use this ${doc.durationMinutes}-minute template; its length cannot change.`, [
            { location: 'body', field: 'durationMinutes', message: `must stay ${doc.durationMinutes} while series use it` },
          ]);
        }
      }
      const now = this.ctx.now();
      const items = withIds(input.items);
      const version = doc.version + 1;
      const committed = await commitVersion(Templates, Journal, id, doc.version, {
        name: input.name,
        durationMinutes: input.durationMinutes,
        items,
        updatedAt: now,
        versions: [...doc.versions, { version, name: input.name, durationMinutes: input.durationMinutes, items, createdAt: now }],
      });
      if (committed) {
        return toTemplateView({
          ...doc,
          name: input.name,
          durationMinutes: input.durationMinutes,
          version,
          updatedAt: now,
          items,
        } as unknown as TemplateDoc);
      }
    }
    throw conflict('The template changed concurrently; try again.');
  }

  /** The template a series names, at its current version (the standard one when it names none). */
  async forSeries(organizationId: string, seriesId: string): Promise<TemplateView> {
    const settings = await this.ctx.models.SeriesSettings.findOne({ _id: seriesId, organizationId }).lean();
    if (!settings) return standardTemplate;
    return this.get(organizationId, settings.templateId).catch(() => standardTemplate);
  }

  /** Names a series' template; its time boxes must add up to the series' duration. */
  async choose(caller: Caller, seriesId: string, templateId: string): Promise<TemplateView> {
    const series = await caller.scheduling.series(seriesId);
    const template = await this.get(caller.organizationId, templateId).catch((err: unknown) => {
      if (!(err instanceof HttpProblem) || err.status !== 404) throw err;
      throw badRequest('Invalid body: templateId.', [
        { location: 'body', field: 'templateId', message: 'no such template in this organization' },
      ]);
    });
    const mismatch = timeBoxMismatch(
      template.items.reduce((sum, i) => sum + i.minutes, 0),
      series.durationMinutes,
    );
    if (mismatch) throw badRequest('Invalid body: templateId.', [{ location: 'body', field: 'templateId', message: mismatch }]);
    await this.ctx.models.SeriesSettings.updateOne(
      { _id: seriesId },
      { $set: { organizationId: caller.organizationId, templateId, updatedAt: this.ctx.now() } },
      { upsert: true },
    );
    return template;
  }
}
