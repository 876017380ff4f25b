import type { Request } from 'express';
import { sameExtendedId } from './calendar.js';
import { badRequest } from './errors.js';
import type { ExtendedProperty } from './model.js';

/** Graph query parameters are case-insensitive (the docs themselves write `startdatetime`). */
export function queryParam(req: Request, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(req.query)) {
    if (key.toLowerCase() !== lower) continue;
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  }
  return undefined;
}

export function hasQueryParam(req: Request, name: string): boolean {
  return queryParam(req, name) !== undefined;
}

export interface Preferences {
  timeZone?: string;
  maxPageSize?: number;
}

/** `Prefer: outlook.timezone="…", odata.maxpagesize=N` (one header or several). */
export function preferences(req: Request): Preferences {
  const header = req.headers.prefer;
  const raw = Array.isArray(header) ? header.join(',') : (header ?? '');
  const out: Preferences = {};
  const tz = /outlook\.timezone\s*=\s*"([^"]*)"|outlook\.timezone\s*=\s*([^,;\s]+)/i.exec(raw);
  const zone = tz?.[1] ?? tz?.[2];
  if (zone) out.timeZone = zone;
  const size = /odata\.maxpagesize\s*=\s*"?(\d+)"?/i.exec(raw);
  if (size?.[1]) out.maxPageSize = Math.max(1, Number(size[1]));
  return out;
}

/**
 * `$expand=singleValueExtendedProperties($filter=id eq '…')`: the ids to include. Extended
 * properties are never returned otherwise. Other expansions are a 400.
 */
export function expandedExtendedIds(req: Request): string[] | undefined {
  const expand = queryParam(req, '$expand');
  if (expand === undefined) return undefined;
  const m = /^\s*singleValueExtendedProperties\s*\(\s*\$filter\s*=\s*(.*)\)\s*$/i.exec(expand);
  if (!m?.[1])
    throw badRequest(
      'BadRequest',
      `Parsing OData Select and Expand failed: Could not find a property named '${expand}' on type 'microsoft.graph.event'.`,
    );
  const ids = [...m[1].matchAll(/id\s+eq\s+'((?:[^']|'')*)'/gi)].map((x) => (x[1] ?? '').replace(/''/g, "'"));
  if (ids.length === 0) throw badRequest('BadRequest', "Invalid filter clause in $expand: expected id eq '…'.");
  return ids;
}

export function pickExtended(props: ExtendedProperty[], ids: string[]): ExtendedProperty[] {
  return props.filter((p) => ids.some((id) => sameExtendedId(p.id, id)));
}

export type EventFilter = (props: ExtendedProperty[]) => boolean;

/**
 * The one `$filter` Cadence needs on event lists:
 * `singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…')`. The id's Name is
 * case-sensitive and the value comparison is not, as the extended-properties page documents.
 */
export function parseEventFilter(req: Request): EventFilter | undefined {
  const filter = queryParam(req, '$filter');
  if (filter === undefined) return undefined;
  const m =
    /^\s*singleValueExtendedProperties\/any\s*\(\s*(\w+)\s*:\s*\1\/id\s+eq\s+'((?:[^']|'')*)'(?:\s+and\s+\1\/value\s+eq\s+'((?:[^']|'')*)')?\s*\)\s*$/i.exec(
      filter,
    );
  if (!m) throw badRequest('BadRequest', `Invalid filter clause: ${filter}`);
  const id = (m[2] ?? '').replace(/''/g, "'");
  const value = m[3] === undefined ? undefined : m[3].replace(/''/g, "'");
  return (props) =>
    props.some((p) => sameExtendedId(p.id, id) && (value === undefined || p.value.toLowerCase() === value.toLowerCase()));
}

export function parseSelect(req: Request): string[] | undefined {
  const select = queryParam(req, '$select');
  return select === undefined
    ? undefined
    : select
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

/** `$top`/`$skip` for plain collections; Graph pages Outlook lists 10 items at a time by default. */
export function paging(req: Request, defaultTop = 10): { top: number; skip: number } {
  const rawTop = queryParam(req, '$top');
  const rawSkip = queryParam(req, '$skip');
  const top = rawTop === undefined ? defaultTop : Number(rawTop);
  const skip = rawSkip === undefined ? 0 : Number(rawSkip);
  if (!Number.isInteger(top) || top < 1 || top > 1000)
    throw badRequest('ErrorInvalidParameter', `Invalid $top value '${rawTop}'.`);
  if (!Number.isInteger(skip) || skip < 0) throw badRequest('ErrorInvalidParameter', `Invalid $skip value '${rawSkip}'.`);
  return { top, skip };
}
