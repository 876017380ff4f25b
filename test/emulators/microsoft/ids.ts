import { randomBytes } from 'node:crypto';

/*
 * Graph ids are long base64-like strings ("AAMkAGI1AAAt9AHjAAA=") using "-" and "_" instead of
 * "/" and "+". Clients must treat them as opaque; the emulator encodes what it needs inside so an
 * occurrence id stays the same every time it is listed and resolves without a lookup table.
 */
const MASTER_PREFIX = 'AAMkAGI';
const OCCURRENCE_PREFIX = 'AAMkAGE';

const b64url = (buf: Buffer) => buf.toString('base64').replace(/\+/g, '_').replace(/\//g, '-').replace(/=+$/, '');
const fromB64url = (s: string) => Buffer.from(s.replace(/_/g, '+').replace(/-/g, '/'), 'base64');

export function newEventId(): string {
  return `${MASTER_PREFIX}${b64url(randomBytes(42))}AAA=`;
}

/**
 * Like Graph's (whose beta `occurrenceId` reads "OID.{masterId}.{yyyy-MM-dd}"), an occurrence id
 * names the series and the original date in the series' time zone, not the time: moving the whole
 * series to another hour keeps every occurrence's id.
 */
export function occurrenceId(masterId: string, originalDate: string): string {
  return `${OCCURRENCE_PREFIX}${b64url(Buffer.from(`${masterId}|${originalDate}`, 'utf8'))}=`;
}

export function parseOccurrenceId(id: string): { masterId: string; originalDate: string } | undefined {
  if (!id.startsWith(OCCURRENCE_PREFIX)) return undefined;
  const decoded = fromB64url(id.slice(OCCURRENCE_PREFIX.length).replace(/=+$/, '')).toString('utf8');
  const bar = decoded.lastIndexOf('|');
  const date = decoded.slice(bar + 1);
  if (bar < 0 || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  return { masterId: decoded.slice(0, bar), originalDate: date };
}

/** Anything that could not be a Graph id is a 400 ErrorInvalidIdMalformed, as in Graph. */
export function looksLikeEventId(id: string): boolean {
  return /^AAMk[A-Za-z0-9_=-]+$/.test(id);
}

export function newChangeKey(): string {
  return randomBytes(18).toString('base64');
}

export function newToken(bytes = 32): string {
  return b64url(randomBytes(bytes));
}

export function iCalUId(): string {
  return `040000008200E00074C5B7101A82E008000000005${randomBytes(28).toString('hex').toUpperCase()}`;
}
