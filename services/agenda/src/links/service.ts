import { commitVersion } from '@cadence/shared/db';
import type { SchedulingClient } from '@cadence/shared/clients/scheduling';
import { conflict, HttpProblem, isDuplicateKeyError } from '@cadence/shared/http';
import { contextLogger } from '@cadence/shared/logging';
import type { Caller } from '../auth/authenticate.js';
import type { AgendaContext } from '../context.js';
import { newToken, sha256 } from '@cadence/shared/ids';
import type { AgendaLinkDoc } from './models.js';
import { TOKEN_PATTERN } from './schemas.js';

const MAX_ATTEMPTS = 8;

export interface ResolvedLink {
  organizationId: string;
  seriesId: string;
  tokenHash: string;
}

export const linkUrl = (baseUrl: string, token: string) => `${baseUrl.replace(/\/+$/, '')}/a/${token}`;

/**
 * Series agenda links. The token is shown once (in the URL) and only its SHA-256 is stored; the
 * scheduling service keeps the URL on the series and puts it in the invite.
 */
export class LinkService {
  constructor(private readonly ctx: AgendaContext) {}

  /** Issues or reissues the link (the previous token stops working) and writes it into the invite. */
  async issue(caller: Caller, seriesId: string, baseUrl: string) {
    await caller.scheduling.series(seriesId);
    const token = newToken();
    const { previous, version } = await this.replace(caller.organizationId, seriesId, sha256(token));
    const url = linkUrl(baseUrl, token);
    try {
      await caller.scheduling.setAgendaLink(seriesId, url);
    } catch (err) {
      // the invite still carries the previous link: keep that one working rather than neither
      await this.restore(seriesId, version, previous);
      throw err;
    }
    return { seriesId, url, issuedAt: this.ctx.now().toISOString() };
  }

  /** Revokes the link at once, then clears it from the invite. */
  async revoke(caller: Caller, seriesId: string): Promise<void> {
    await caller.scheduling.series(seriesId);
    await this.replace(caller.organizationId, seriesId, null);
    try {
      await caller.scheduling.setAgendaLink(seriesId, null);
    } catch (err) {
      // an ended series cannot change its invite any more; the token is dead all the same
      if (!(err instanceof HttpProblem && err.status === 409)) throw err;
      contextLogger(this.ctx.logger).info({ seriesId }, 'agenda link revoked; the series no longer accepts invite changes');
    }
  }

  async status(caller: Caller, seriesId: string) {
    const series = await caller.scheduling.series(seriesId);
    const doc = await this.ctx.models.Links.findOne({ _id: seriesId, organizationId: caller.organizationId }).lean();
    const active = Boolean(doc?.tokenHash);
    return {
      seriesId,
      active,
      url: active ? series.agendaUrl : null,
      issuedAt: doc?.issuedAt ? doc.issuedAt.toISOString() : null,
      revokedAt: doc?.revokedAt ? doc.revokedAt.toISOString() : null,
    };
  }

  /**
   * For the scheduling service creating a series: the active link's URL, or a new link. Only the
   * token's hash is kept here, so an existing URL is recognised from the one the series stores;
   * if the series does not carry it (yet), a fresh link is issued and the caller stores that one.
   */
  async ensure(organizationId: string, seriesId: string, baseUrl: string, scheduling: SchedulingClient) {
    const doc = await this.ctx.models.Links.findOne({ _id: seriesId, organizationId }).lean();
    if (doc?.tokenHash) {
      const stored = await scheduling.series(seriesId).then(
        (s) => s.agendaUrl,
        () => null,
      );
      const token = stored ? /\/a\/([A-Za-z0-9_-]{43})$/.exec(stored)?.[1] : undefined;
      if (stored && token && sha256(token) === doc.tokenHash) return { seriesId, url: stored, issued: false };
    }
    const token = newToken();
    await this.replace(organizationId, seriesId, sha256(token));
    return { seriesId, url: linkUrl(baseUrl, token), issued: true };
  }

  /** The series a presented token opens; undefined for malformed, unknown or revoked tokens. */
  async resolve(token: string): Promise<ResolvedLink | undefined> {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const tokenHash = sha256(token);
    const doc = await this.ctx.models.Links.findOne({ tokenHash }).lean();
    if (!doc || doc.tokenHash !== tokenHash) return undefined;
    return { organizationId: doc.organizationId, seriesId: doc._id, tokenHash };
  }

  /** Sets the series' token hash (null: revoked), compare-and-set on `version`. */
  private replace(organizationId: string, seriesId: string, tokenHash: string | null) {
    return this.ctx.writes.run(`link:${seriesId}`, () => this.write(organizationId, seriesId, tokenHash));
  }

  private async write(
    organizationId: string,
    seriesId: string,
    tokenHash: string | null,
  ): Promise<{ previous: AgendaLinkDoc | null; version: number }> {
    const { Links, Journal } = this.ctx.models;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const now = this.ctx.now();
      const previous = await Links.findOne({ _id: seriesId, organizationId }).lean();
      const fields = tokenHash ? { tokenHash, issuedAt: now, revokedAt: null } : { tokenHash: null, revokedAt: now };
      if (!previous) {
        if (!tokenHash) return { previous: null, version: 0 };
        try {
          await Links.create({ _id: seriesId, organizationId, ...fields, version: 1, updatedAt: now });
          return { previous: null, version: 1 };
        } catch (err) {
          if (isDuplicateKeyError(err)) continue;
          throw err;
        }
      }
      if (await commitVersion(Links, Journal, seriesId, previous.version, { ...fields, updatedAt: now })) {
        return { previous, version: previous.version + 1 };
      }
    }
    throw conflict('The agenda link changed concurrently; try again.');
  }

  /** Undoes `replace` if nothing changed the link since. */
  private restore(seriesId: string, version: number, previous: AgendaLinkDoc | null): Promise<void> {
    return this.ctx.writes.run(`link:${seriesId}`, () => this.undo(seriesId, version, previous));
  }

  private async undo(seriesId: string, version: number, previous: AgendaLinkDoc | null): Promise<void> {
    const { Links, Journal } = this.ctx.models;
    if (!previous) {
      await Links.deleteOne({ _id: seriesId, version });
      return;
    }
    // a change since (another version) wins over the undo
    await commitVersion(Links, Journal, seriesId, version, {
      tokenHash: previous.tokenHash,
      issuedAt: previous.issuedAt,
      revokedAt: previous.revokedAt,
      updatedAt: this.ctx.now(),
    });
  }
}
