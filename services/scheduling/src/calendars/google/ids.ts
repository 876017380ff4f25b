/**
 * Cadence chooses the ids of the Google events it creates (Google allows client ids in base32hex,
 * 5–1024 characters), deriving them from the series and rule segment. A retried insert then meets
 * 409 duplicate instead of making a second event, and a changed event found during sync names its
 * series without a lookup table — these are our own ids, not Google's opaque ones.
 */
const ALPHABET = '0123456789abcdefghijklmnopqrstuv';
const PREFIX = 'cad';

function encode(text: string): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function decode(text: string): string | undefined {
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const ch of text) {
    const digit = ALPHABET.indexOf(ch);
    if (digit < 0) return undefined;
    value = ((value << 5) | digit) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

export function googleEventId(seriesId: string, segment: number): string {
  return `${PREFIX}${encode(`${seriesId}:${segment}`)}`;
}

/** The series and segment behind one of our event ids; undefined for anybody else's event. */
export function parseGoogleEventId(eventId: string): { seriesId: string; segment: number } | undefined {
  if (!eventId.startsWith(PREFIX)) return undefined;
  const m = /^(ser_[0-9a-z]{21}):(\d{1,4})$/.exec(decode(eventId.slice(PREFIX.length)) ?? '');
  return m ? { seriesId: m[1]!, segment: Number(m[2]) } : undefined;
}
