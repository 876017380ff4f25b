import { newId } from '@cadence/shared/ids';
import type { OrganizationModels } from './models.js';

export async function createOrganization(models: OrganizationModels, name: string) {
  const org = await models.Organization.create({ _id: newId('org'), name, createdAt: new Date() });
  return { id: org._id, name: org.name, createdAt: org.createdAt };
}
