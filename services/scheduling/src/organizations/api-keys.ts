import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ReadCache } from '@cadence/shared/cache/read-cache';
import { newId } from '@cadence/shared/ids';
import type { OrganizationModels } from './models.js';

/**
 * Keys look like `cad_<keyId>.<secret>`. The key id finds the record; the secret is 32 random
 * bytes, so a fast SHA-256 is the right hash (nothing to brute-force, unlike a password).
 */
const KEY_FORMAT = /^cad_(key_[0-9a-z]{21})\.([A-Za-z0-9_-]{43})$/;

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/**
 * Live keys' records by key id, kept briefly: each request presents its key, and a report's ten
 * pages asked by the agenda service were ten reads on their way. The secret is still checked
 * against the kept hash every time; unknown and revoked keys are read every time. A key revoked
 * by another process (the CLI, another replica) keeps working for at most KEY_CACHE_MS, as the
 * agenda service's own cache of keys allows (API_KEY_CACHE_TTL_MS).
 */
const KEY_CACHE_MS = 30_000;
const liveKeys = new ReadCache(KEY_CACHE_MS);

export interface IssuedKey {
  id: string;
  organizationId: string;
  name: string;
  /** The whole key; shown once, never stored. */
  key: string;
}

export async function issueApiKey(models: OrganizationModels, organizationId: string, name: string): Promise<IssuedKey> {
  const id = newId('key');
  const secret = randomBytes(32).toString('base64url');
  await models.ApiKey.create({ _id: id, organizationId, name, secretHash: hashSecret(secret), createdAt: new Date() });
  return { id, organizationId, name, key: `cad_${id}.${secret}` };
}

/** The organization a presented key belongs to, or undefined for a malformed, unknown or revoked key. */
export async function verifyApiKey(
  models: OrganizationModels,
  presented: string,
): Promise<{ organizationId: string; keyId: string } | undefined> {
  const match = KEY_FORMAT.exec(presented);
  if (!match) return undefined;
  const [, keyId, secret] = match as unknown as [string, string, string];
  const record = await liveKeys.get(
    keyId,
    () => models.ApiKey.findById(keyId).lean().exec(),
    (r) => Boolean(r && !r.revokedAt),
  );
  if (!record || record.revokedAt) return undefined;
  const expected = Buffer.from(record.secretHash, 'hex');
  const actual = Buffer.from(hashSecret(secret), 'hex');
  if (!timingSafeEqual(expected, actual)) return undefined;
  return { organizationId: record.organizationId, keyId };
}

export async function revokeApiKey(models: OrganizationModels, keyId: string): Promise<boolean> {
  const res = await models.ApiKey.updateOne({ _id: keyId, revokedAt: null }, { $set: { revokedAt: new Date() } });
  liveKeys.forget(keyId);
  return res.modifiedCount === 1;
}
