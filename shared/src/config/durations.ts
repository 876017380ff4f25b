import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+)(ms|s|m|h|d)?$/;

/** `250ms`, `5s`, `30m`, `2h`, `5d` or a bare number of milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[(match[2] ?? 'ms') as keyof typeof UNIT_MS];
}

const DURATION_MESSAGE = 'must be a duration such as 500ms, 5s, 30m, 2h or 5d (a bare number is milliseconds)';

/** One duration, given with a unit for readability, as milliseconds. */
export const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: DURATION_MESSAGE });
        return z.NEVER;
      }
      return ms;
    });

/** A comma-separated list of durations (a retry schedule), as milliseconds. */
export const durationList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const parts = text.split(',').map((p) => parseDuration(p));
      if (parts.some((p) => p === undefined)) {
        ctx.addIssue({ code: 'custom', message: `must be a comma-separated list; each ${DURATION_MESSAGE}` });
        return z.NEVER;
      }
      return parts as number[];
    });

/** A comma-separated list of words (hosts, CIDR ranges); empty entries dropped. */
export const commaList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text) =>
      text
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    );
