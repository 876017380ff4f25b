import type { Model } from 'mongoose';
import { badRequest } from '@cadence/shared/http';
import type { PersonDoc } from '../people/models.js';
import type { ConnectionDoc } from './models.js';

const NAMES = { google: 'Google', microsoft: 'Microsoft' } as const;

/** The manager's active connection at a provider, or a 400 naming the calendar field. */
export async function activeConnection(
  Connections: Model<ConnectionDoc>,
  manager: PersonDoc,
  provider: keyof typeof NAMES,
): Promise<ConnectionDoc> {
  const connection = await Connections.findOne({
    organizationId: manager.organizationId,
    personId: manager._id,
    provider,
    status: 'active',
  }).lean();
  if (!connection) {
    throw badRequest('Invalid body: calendar.', [
      {
        location: 'body',
        field: 'calendar',
        message: `the manager has no active ${NAMES[provider]} connection; connect one at /v1/connections/${provider}/start`,
      },
    ]);
  }
  return connection;
}
