import type { calendar_v3 } from './googleapis.js';
import type { Model } from 'mongoose';
import { activeConnection } from '../../connections/active.js';
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
  forManager(manager: PersonDoc): Promise<ConnectionDoc> {
    return activeConnection(this.Connections, manager, 'google');
  }
}
