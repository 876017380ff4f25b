import { z } from './api-router.js';

/** `?limit&cursor` for list routes; the cursor is the last id of the previous page, opaque to callers. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be a cursor from a previous page')
    .optional(),
};

export const decodeCursor = (cursor: string | undefined) =>
  cursor ? Buffer.from(cursor, 'base64url').toString('utf8') : undefined;

export function pageOf<T extends { id: string }>(items: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const page = items.slice(0, limit);
  const more = items.length > limit;
  return { items: page, nextCursor: more ? Buffer.from(page[page.length - 1]!.id).toString('base64url') : null };
}

export { pageSchema } from '../contracts/scheduling.js';
