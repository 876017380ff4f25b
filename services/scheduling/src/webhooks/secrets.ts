import { randomBytes } from 'node:crypto';
import type { SecretBox } from '@cadence/shared/crypto';
import type { SubscriptionDoc } from './models.js';

/** How long the previous secret keeps signing after a rotation. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

type StoredSecret = SubscriptionDoc['secrets'][number];

/** A new signing secret in the Standard Webhooks form: `whsec_` and 32 random bytes in base64. */
export const newSigningSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** Seals and opens a subscription's signing secrets; plain secrets never reach the database. */
export class SigningSecrets {
  constructor(private readonly box: SecretBox) {}

  seal(subscriptionId: string, secret: string, now: Date): StoredSecret {
    return { sealed: this.box.seal(secret, `webhook:${subscriptionId}`), createdAt: now, expiresAt: null };
  }

  /** The secrets that sign at `now`: the current one and, during a rotation, the previous one. */
  active(subscriptionId: string, stored: readonly StoredSecret[], now: Date): string[] {
    return stored
      .filter((s) => !s.expiresAt || s.expiresAt > now)
      .map((s) => this.box.open(s.sealed, `webhook:${subscriptionId}`));
  }

  /** The secrets after a rotation: the new one, the old current one until the overlap ends; expired ones dropped. */
  rotate(subscriptionId: string, stored: readonly StoredSecret[], secret: string, now: Date): StoredSecret[] {
    const until = new Date(now.getTime() + ROTATION_OVERLAP_MS);
    const kept = stored
      .filter((s) => !s.expiresAt || s.expiresAt > now)
      .map((s) => ({
        sealed: s.sealed,
        createdAt: s.createdAt,
        expiresAt: s.expiresAt && s.expiresAt < until ? s.expiresAt : until,
      }));
    return [...kept, this.seal(subscriptionId, secret, now)];
  }
}

/** When the previous secret stops signing, if a rotation is under way. */
export function previousSecretExpiresAt(stored: readonly StoredSecret[], now: Date): Date | null {
  const ends = stored.filter((s) => s.expiresAt && s.expiresAt > now).map((s) => s.expiresAt!.getTime());
  return ends.length ? new Date(Math.max(...ends)) : null;
}
