import { errors } from './errors.js';
import { isValidZone, parseRfc3339, type Instant } from './time.js';

/** Typed reads of Google's query parameters (`a=1&a=2` arrives as an array). */
export class QueryParams {
  constructor(private readonly raw: Record<string, unknown>) {}

  has(name: string): boolean {
    return this.raw[name] !== undefined;
  }

  string(name: string): string | undefined {
    const value = this.raw[name];
    if (value === undefined) return undefined;
    if (Array.isArray(value)) return value.length ? String(value[value.length - 1]) : undefined;
    return String(value);
  }

  list(name: string): string[] {
    const value = this.raw[name];
    if (value === undefined) return [];
    return (Array.isArray(value) ? value : [value]).map(String);
  }

  bool(name: string): boolean | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (value.toLowerCase() === 'true') return true;
    if (value.toLowerCase() === 'false') return false;
    throw errors.invalid(`Invalid value '${value}'. Values must match the following regular expression: '(?i)true|false'`, name);
  }

  /** maxResults: at least 1; anything above the ceiling is clamped, as Google documents. */
  pageSize(name: string, fallback: number, ceiling: number): number {
    const value = this.string(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw errors.invalid(`Invalid value '${value}'. Values must be within the range: [1, ${ceiling}]`, name);
    return Math.min(n, ceiling);
  }

  time(name: string): Instant | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const ms = parseRfc3339(value);
    if (ms === undefined) throw errors.badRequest('Bad Request', 'badRequest', name);
    return ms;
  }

  zone(name: string): string | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!isValidZone(value)) throw errors.invalid('Invalid time zone definition.', name);
    return value;
  }
}
