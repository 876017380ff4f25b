import type { Model } from 'mongoose';
import { notFound } from '@cadence/shared/http';
import { newId } from '@cadence/shared/ids';
import type { PersonDoc } from './models.js';
import type { PersonView } from './schemas.js';

export const toPersonView = (p: PersonDoc): PersonView => ({
  id: p._id,
  name: p.name,
  email: p.email,
  timeZone: p.timeZone,
  roles: p.roles as PersonView['roles'],
  calendarConnectionId: p.calendarConnectionId ?? null,
  hasFeed: Boolean(p.feedTokenHash),
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

export async function createPerson(
  People: Model<PersonDoc>,
  organizationId: string,
  input: Pick<PersonDoc, 'name' | 'email' | 'timeZone' | 'roles'>,
) {
  const now = new Date();
  const doc = await People.create({ _id: newId('per'), organizationId, ...input, createdAt: now, updatedAt: now });
  return doc.toObject();
}

/** A person of this organization, or 404 — another organization's ids look exactly like unknown ones. */
export async function getPerson(People: Model<PersonDoc>, organizationId: string, id: string): Promise<PersonDoc> {
  const doc = await People.findOne({ _id: id, organizationId }).lean();
  if (!doc) throw notFound(`No person ${id}.`);
  return doc;
}
