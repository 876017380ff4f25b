import type { calendar_v3 } from './googleapis.js';
import type { Model } from 'mongoose';
import { badRequest } from '@cadence/shared/http';
import type { ConnectionDoc } from '../../connections/models.js';
import type { SecretBox } from '@cadence/shared/crypto/secret-box';
import type { PersonDoc } from '../../people/models.js';
import { googleCalendar, type GoogleSettings } from './client.js';

/** Google clients for connected accounts, built from their sealed refresh tokens. */
export class GoogleAccounts {
  constructor(
    readonly settings: GoogleSettings,
    private readonly Connections: Model<ConnectionDoc>,
    private readonly secrets: SecretBox,
  ) {}

  /** One client per connection and token, kept: its access token then lives its hour instead of being refreshed per call. */
  private readonly clients = new Map<string, { sealed: string; calendar: calendar_v3.Calendar }>();

  client(connection: ConnectionDoc): calendar_v3.Calendar {
    const cached = this.clients.get(connection._id);
    if (cached?.sealed === connection.refreshTokenSealed) return cached.calendar;
    const calendar = googleCalendar(this.settings, this.secrets.open(connection.refreshTokenSealed, connection._id));
    this.clients.set(connection._id, { sealed: connection.refreshTokenSealed, calendar });
    return calendar;
  }

  /** The manager's active Google connection, or a 400 naming the calendar field. */
  async forManager(manager: PersonDoc): Promise<ConnectionDoc> {
    const connection = await this.Connections.findOne({
      organizationId: manager.organizationId,
      personId: manager._id,
      provider: 'google',
      status: 'active',
    }).lean();
    if (!connection) {
      throw badRequest('Invalid body: calendar.', [
        {
          location: 'body',
          field: 'calendar',
          message: 'the manager has no active Google connection; connect one at /v1/connections/google/start',
        },
      ]);
    }
    return connection;
  }
}
