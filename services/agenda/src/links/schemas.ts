import { z } from '@cadence/shared/http';
import { seriesIdSchema } from '../templates/schemas.js';

export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const linkParams = z.strictObject({ seriesId: seriesIdSchema });

export const issuedLinkSchema = z
  .object({
    seriesId: z.string(),
    url: z.string().describe('The agenda link, also written into the invite; append /<key> or /<YYYY-MM-DD> for one occurrence'),
    issuedAt: z.string(),
  })
  .openapi('AgendaLink');

export const linkStatusSchema = z
  .object({
    seriesId: z.string(),
    active: z.boolean(),
    url: z.string().nullable().describe('The link the invite carries (as stored by the scheduling service)'),
    issuedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('AgendaLinkStatus');

export const internalLinkBody = z
  .strictObject({ organizationId: z.string().min(1).max(100), seriesId: seriesIdSchema })
  .openapi('InternalAgendaLinkRequest');
export const internalLinkSchema = z
  .object({ seriesId: z.string(), url: z.string(), issued: z.boolean().describe('false: the existing link') })
  .openapi('InternalAgendaLink');
