import { randomBytes } from 'node:crypto';
import { badRequest, HttpProblem, notFound } from '@cadence/shared/http';
import type { SecretBox } from '@cadence/shared/crypto/secret-box';
import { newId } from '@cadence/shared/ids';
import { contextLogger } from '@cadence/shared/logging';
import { nextSequence } from '../outbox/sequence.js';
import { insertOutboxEvent } from '../outbox/unfanned.js';
import type { SchedulingContext } from '../context.js';
import type { ConnectionDoc } from './models.js';
import type { OAuthProvider } from './oauth-provider.js';
import type { ConnectionView } from './schemas.js';

const STATE_TTL_MS = 15 * 60_000;

export const toConnectionView = (c: ConnectionDoc): ConnectionView => ({
  id: c._id,
  personId: c.personId,
  provider: c.provider as ConnectionView['provider'],
  status: c.status as ConnectionView['status'],
  accountEmail: c.accountEmail ?? null,
  calendarId: c.calendarId,
  lastError: c.lastError ?? null,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

/**
 * Connecting calendar accounts: consent with a single-use `state` bound to the organization and
 * the person, the refresh token sealed at rest, and the way back when a provider refuses it.
 */
export class ConnectionService {
  constructor(
    private readonly ctx: SchedulingContext,
    private readonly providers: Map<string, OAuthProvider>,
    private readonly secrets: SecretBox,
  ) {}

  private provider(name: string): OAuthProvider {
    const p = this.providers.get(name);
    if (!p)
      throw badRequest('Invalid params: provider.', [
        { location: 'params', field: 'provider', message: `${name} is not configured` },
      ]);
    return p;
  }

  async start(organizationId: string, providerName: string, personId: string) {
    const provider = this.provider(providerName);
    const person = await this.ctx.models.People.findOne({ _id: personId, organizationId }).lean();
    if (!person)
      throw badRequest('Invalid body: personId.', [
        { location: 'body', field: 'personId', message: 'no such person in this organization' },
      ]);
    const state = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.ctx.now().getTime() + STATE_TTL_MS);
    await this.ctx.models.OAuthStates.create({ _id: state, organizationId, personId, provider: providerName, expiresAt });
    return { url: provider.consentUrl(state, person.email), expiresAt: expiresAt.toISOString() };
  }

  /** The browser comes back here; the state names whose account it is, once. */
  async complete(
    providerName: string,
    q: { code?: string | undefined; state: string; error?: string | undefined },
  ): Promise<ConnectionDoc> {
    const provider = this.provider(providerName);
    const { OAuthStates, Connections, People, Journal } = this.ctx.models;
    const now = this.ctx.now();
    const state = await OAuthStates.findById(q.state).lean();
    if (!state || state.provider !== providerName || state.usedAt || state.expiresAt < now) {
      throw new HttpProblem(400, {
        title: 'Invalid consent',
        detail: 'This consent link is unknown, used or expired; start again.',
      });
    }
    // single use: the journal insert is the atomic part (see shared/src/db/journal.ts)
    try {
      await Journal.create({ _id: `oauth_states:${state._id}@used`, set: { usedAt: now }, at: now });
    } catch {
      throw new HttpProblem(400, { title: 'Invalid consent', detail: 'This consent link was already used; start again.' });
    }
    await OAuthStates.updateOne({ _id: state._id }, { $set: { usedAt: now } });
    if (q.error || !q.code)
      throw new HttpProblem(400, { title: 'Consent refused', detail: `The provider answered: ${q.error ?? 'no code'}.` });

    const tokens = await provider.exchange(q.code).catch((err: unknown) => {
      contextLogger(this.ctx.logger).warn({ err, provider: providerName }, 'code exchange failed');
      throw new HttpProblem(502, { detail: 'The provider did not accept the consent; start again.' });
    });
    const existing = await Connections.findOne({
      organizationId: state.organizationId,
      personId: state.personId,
      provider: providerName,
    }).lean();
    const id = existing?._id ?? newId('con');
    const fields = {
      status: 'active',
      refreshTokenSealed: this.secrets.seal(tokens.refreshToken, id),
      scope: tokens.scope,
      calendarId: tokens.calendarId,
      accountEmail: tokens.accountEmail,
      lastError: null,
      updatedAt: now,
    };
    if (existing) await Connections.updateOne({ _id: id }, { $set: fields });
    else
      await Connections.create({
        _id: id,
        organizationId: state.organizationId,
        personId: state.personId,
        provider: providerName,
        createdAt: now,
        ...fields,
      });
    await People.updateOne(
      { _id: state.personId, organizationId: state.organizationId },
      { $set: { calendarConnectionId: id, updatedAt: now } },
    );
    const connection = (await Connections.findById(id).lean())!;
    await provider.connected(connection);
    return connection;
  }

  async disconnect(organizationId: string, id: string): Promise<ConnectionDoc> {
    const connection = await this.ctx.models.Connections.findOne({ _id: id, organizationId }).lean();
    if (!connection) throw notFound(`No connection ${id}.`);
    await this.ctx.models.Connections.updateOne({ _id: id }, { $set: { status: 'disconnected', updatedAt: this.ctx.now() } });
    await this.providers.get(connection.provider)?.disconnected(connection, { remote: connection.status === 'active' });
    return { ...connection, status: 'disconnected' };
  }

  /**
   * The provider refused the refresh token (revoked, expired): the connection waits for the person
   * to consent again, its watches stop, and `connection.reauth_required` goes out once.
   */
  async reauthRequired(connection: ConnectionDoc, reason: string): Promise<void> {
    const { Connections, People, Outbox } = this.ctx.models;
    const now = this.ctx.now();
    const res = await Connections.updateOne(
      { _id: connection._id, status: 'active' },
      { $set: { status: 'reauth_required', lastError: reason, updatedAt: now } },
    );
    await this.providers.get(connection.provider)?.disconnected(connection, { remote: false });
    if (res.modifiedCount === 0) return;
    const person = await People.findById(connection.personId).lean();
    await insertOutboxEvent(Outbox, {
      // one event per refusal episode: the connection's last update names it
      _id: `evt_reauth_${connection._id}_${connection.updatedAt.getTime()}`,
      organizationId: connection.organizationId,
      type: 'connection.reauth_required',
      seriesId: null,
      occurrenceKey: null,
      occurredAt: now,
      data: {
        organizationId: connection.organizationId,
        connectionId: connection._id,
        provider: connection.provider,
        person: person ? { id: person._id, name: person.name, email: person.email } : { id: connection.personId },
        reason,
        detectedAt: now.toISOString(),
        reconnect: `/v1/connections/${connection.provider}/start`,
      },
      createdAt: now,
      sequence: nextSequence(),
    });
  }
}
