import { createHash } from 'node:crypto';

/**
 * Cadence's single-value extended properties on the events it writes: a property set GUID of its
 * own, one named string property per id (Graph: `String {GUID} Name Key`).
 */
const PROPERTY_SET = '{7d1a5c0e-3b8f-4c52-9a4e-cade0c0ffee1}';
export const extendedPropertyId = (name: 'SeriesId' | 'OrganizationId' | 'Segment' | 'FirstKey' | 'OccurrenceKey') =>
  `String ${PROPERTY_SET} Name Cadence${name}`;

/**
 * Graph's idempotency key for a create: a retried POST with the same transactionId answers with the
 * event the first attempt made. Derived from what the event stands for, as a GUID-shaped string.
 */
export function transactionId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join(':')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
