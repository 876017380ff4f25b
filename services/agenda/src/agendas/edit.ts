import { badRequest } from '@cadence/shared/http';
import type { AgendaDoc } from './models.js';
import type { UpdateAgendaInput } from './schemas.js';

/**
 * The fields an agenda change rewrites, computed in code from the current document (FerretDB
 * has no positional array updates). Unknown item ids are a 400 and nothing is written.
 */
export function applyAgendaChange(doc: AgendaDoc, input: UpdateAgendaInput, now: Date): Partial<AgendaDoc> {
  const known = new Set(doc.items.map((i) => i.id));
  const unknown = (input.items ?? []).flatMap((i, n) =>
    known.has(i.id) ? [] : [{ location: 'body' as const, field: `items.${n}.id`, message: 'no such item on this agenda' }],
  );
  if (unknown.length) throw badRequest(`Invalid body: ${unknown.map((e) => e.field).join(', ')}.`, unknown);

  const set: Partial<AgendaDoc> = {};
  if (input.notes !== undefined) set.notes = input.notes;
  if (input.items) {
    const changes = new Map(input.items.map((i) => [i.id, i]));
    set.items = doc.items.map((item) => {
      const change = changes.get(item.id);
      if (!change) return item;
      const covered = change.covered ?? item.covered;
      return {
        ...item,
        covered,
        coveredAt: covered ? (item.covered ? item.coveredAt : now) : null,
        note: change.note ?? item.note,
      };
    }) as unknown as AgendaDoc['items'];
  }
  if (input.figures) {
    const current = doc.figures ?? {};
    set.figures = { ...current, ...input.figures } as AgendaDoc['figures'];
  }
  return set;
}
