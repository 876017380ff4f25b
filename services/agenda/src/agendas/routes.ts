import type { ApiRouter } from '@cadence/shared/http';
import { callerOf } from '../auth/authenticate.js';
import type { AgendaContext } from '../context.js';
import { agendaSchema, occurrenceParams, updateAgendaBody } from './schemas.js';
import type { AgendaService } from './service.js';
import { toAgendaView } from './view.js';

/** `/v1/series/:seriesId/occurrences/:key/agenda`: one meeting's agenda, made on first use. */
export function agendaRoutes(api: ApiRouter, ctx: AgendaContext, service: AgendaService) {
  const tags = ['Agendas'];
  const scope = (params: { seriesId: string; key: string }, req: Parameters<typeof callerOf>[0]) => {
    const caller = callerOf(req);
    return { organizationId: caller.organizationId, scheduling: caller.scheduling, ...params };
  };
  api
    .route(
      {
        method: 'get',
        path: '/v1/series/:seriesId/occurrences/:key/agenda',
        summary: 'The agenda of one occurrence (made from the series’ template the first time it is asked for)',
        tags,
        request: { params: occurrenceParams },
        responses: { 200: { description: 'The agenda', schema: agendaSchema } },
        errors: [404, 502],
      },
      async ({ params }, req) => toAgendaView(await service.load(scope(params, req)), ctx.now()),
    )
    .route(
      {
        method: 'patch',
        path: '/v1/series/:seriesId/occurrences/:key/agenda',
        summary: 'Record notes, covered items and the week’s figures',
        tags,
        request: { params: occurrenceParams, body: updateAgendaBody },
        responses: { 200: { description: 'The agenda', schema: agendaSchema } },
        errors: [404, 409, 502],
      },
      async ({ params, body }, req) => toAgendaView(await service.update(scope(params, req), body), ctx.now()),
    );
}
