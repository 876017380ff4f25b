import type { ApiRouter } from '@cadence/shared/http';
import { notFound } from '@cadence/shared/http';
import { organizationSchema } from '@cadence/shared/contracts/scheduling';
import { organizationOf } from './authenticate.js';
import type { OrganizationModels } from './models.js';

/** `GET /v1/organization`: who a key belongs to — also how the agenda service checks a caller's key. */
export function organizationRoutes(api: ApiRouter, models: OrganizationModels) {
  api.route(
    {
      method: 'get',
      path: '/v1/organization',
      summary: 'The organization of the API key',
      tags: ['Organization'],
      responses: { 200: { description: 'The organization', schema: organizationSchema } },
    },
    async (_input, req) => {
      const org = await models.Organization.findById(organizationOf(req)).lean();
      if (!org) throw notFound('The organization no longer exists.');
      return { id: org._id, name: org.name, createdAt: org.createdAt.toISOString() };
    },
  );
}
