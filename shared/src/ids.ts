import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

function random36(length: number): string {
  let out = '';
  for (const b of randomBytes(length)) out += ALPHABET[b % 36];
  return out;
}

/**
 * A prefixed id (`ser_…`, `hw_…`) that sorts by creation time (so cursor pagination lists oldest
 * first) and carries 12 random characters so ids cannot be enumerated.
 */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${random36(12)}`;
}

/** A capability token: 32 random bytes, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
