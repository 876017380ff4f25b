import { DateTime, IANAZone } from 'luxon';
import { badRequest } from './errors.js';

/**
 * Windows time-zone names Graph accepts, mapped to the IANA zone CLDR's windowsZones.xml gives for
 * territory "001". Only the zones a test is likely to use; an unknown name is a 400 as in Graph.
 */
const WINDOWS_TO_IANA: Record<string, string> = {
  UTC: 'UTC',
  'Coordinated Universal Time': 'UTC',
  'Dateline Standard Time': 'Etc/GMT+12',
  'Hawaiian Standard Time': 'Pacific/Honolulu',
  'Alaskan Standard Time': 'America/Anchorage',
  'Pacific Standard Time': 'America/Los_Angeles',
  'US Mountain Standard Time': 'America/Phoenix',
  'Mountain Standard Time': 'America/Denver',
  'Central America Standard Time': 'America/Guatemala',
  'Central Standard Time': 'America/Chicago',
  'Central Standard Time (Mexico)': 'America/Mexico_City',
  'SA Pacific Standard Time': 'America/Bogota',
  'Eastern Standard Time': 'America/New_York',
  'Atlantic Standard Time': 'America/Halifax',
  'Newfoundland Standard Time': 'America/St_Johns',
  'E. South America Standard Time': 'America/Sao_Paulo',
  'Argentina Standard Time': 'America/Buenos_Aires',
  'Pacific SA Standard Time': 'America/Santiago',
  'Greenwich Standard Time': 'Atlantic/Reykjavik',
  'GMT Standard Time': 'Europe/London',
  'W. Europe Standard Time': 'Europe/Berlin',
  'Romance Standard Time': 'Europe/Paris',
  'Central Europe Standard Time': 'Europe/Budapest',
  'Central European Standard Time': 'Europe/Warsaw',
  'W. Central Africa Standard Time': 'Africa/Lagos',
  'GTB Standard Time': 'Europe/Bucharest',
  'FLE Standard Time': 'Europe/Kiev',
  'Israel Standard Time': 'Asia/Jerusalem',
  'Egypt Standard Time': 'Africa/Cairo',
  'South Africa Standard Time': 'Africa/Johannesburg',
  'Turkey Standard Time': 'Europe/Istanbul',
  'Russian Standard Time': 'Europe/Moscow',
  'E. Africa Standard Time': 'Africa/Nairobi',
  'Arabian Standard Time': 'Asia/Dubai',
  'Pakistan Standard Time': 'Asia/Karachi',
  'India Standard Time': 'Asia/Calcutta',
  'SE Asia Standard Time': 'Asia/Bangkok',
  'Singapore Standard Time': 'Asia/Singapore',
  'China Standard Time': 'Asia/Shanghai',
  'Taipei Standard Time': 'Asia/Taipei',
  'W. Australia Standard Time': 'Australia/Perth',
  'Tokyo Standard Time': 'Asia/Tokyo',
  'Korea Standard Time': 'Asia/Seoul',
  'Cen. Australia Standard Time': 'Australia/Adelaide',
  'E. Australia Standard Time': 'Australia/Brisbane',
  'AUS Eastern Standard Time': 'Australia/Sydney',
  'New Zealand Standard Time': 'Pacific/Auckland',
};

const WINDOWS_BY_LOWER = new Map(Object.entries(WINDOWS_TO_IANA).map(([k, v]) => [k.toLowerCase(), v]));

/** IANA names found valid: luxon checks one by building an Intl formatter each time. */
const VALID_IANA = new Set<string>();

/** IANA zone for a Graph timeZone value (Windows or IANA name), or a Graph 400 if unknown. */
export function resolveZone(name: string | undefined | null): string {
  const trimmed = (name ?? '').trim();
  const windows = WINDOWS_BY_LOWER.get(trimmed.toLowerCase());
  if (windows) return windows;
  if (VALID_IANA.has(trimmed)) return trimmed;
  if (trimmed && IANAZone.isValidZone(trimmed)) {
    VALID_IANA.add(trimmed);
    return trimmed;
  }
  throw badRequest(
    'TimeZoneNotSupportedException',
    `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${trimmed}'.`,
  );
}

/** Graph's dateTimeTimeZone.dateTime: local wall time with seven fractional digits, no offset. */
export function graphLocalDateTime(instant: DateTime, zone: string): string {
  return `${instant.setZone(resolveZone(zone)).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS")}0000`;
}

/** Graph's DateTimeOffset as written on createdDateTime and friends: UTC, seven digits, "Z". */
export function graphTimestamp(instant: Date | DateTime): string {
  const dt = instant instanceof Date ? DateTime.fromJSDate(instant) : instant;
  return `${dt.toUTC().toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS")}0000Z`;
}

/** originalStart is written without fraction: "2026-10-27T13:00:00Z". */
export function graphOriginalStart(instant: DateTime): string {
  return instant.toUTC().toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'");
}

/** Reads a request dateTimeTimeZone: wall time in the named zone (an explicit offset wins). */
export function parseDateTimeTimeZone(value: unknown, field: string): { instant: DateTime; timeZone: string } {
  if (typeof value !== 'object' || value === null) {
    throw badRequest('ErrorInvalidRequest', `The property '${field}' is required and must be a dateTimeTimeZone.`);
  }
  const { dateTime, timeZone } = value as { dateTime?: unknown; timeZone?: unknown };
  if (typeof dateTime !== 'string') {
    throw badRequest('ErrorInvalidRequest', `${field}.dateTime is required.`);
  }
  const tz = typeof timeZone === 'string' && timeZone.trim() ? timeZone.trim() : 'UTC';
  const zone = resolveZone(tz);
  const instant = DateTime.fromISO(dateTime, { zone });
  if (!instant.isValid) {
    throw badRequest('ErrorInvalidRequest', `Cannot convert the literal '${dateTime}' to the expected type 'Edm.DateTime'.`);
  }
  return { instant: instant.toUTC(), timeZone: tz };
}

/** Query-string date-times (startDateTime/endDateTime): ISO 8601, UTC when no offset is given. */
export function parseQueryDateTime(value: string, name: string): DateTime {
  const dt = DateTime.fromISO(value, { zone: 'UTC' });
  if (!dt.isValid) {
    throw badRequest('ErrorInvalidParameter', `The value '${value}' of parameter '${name}' is invalid.`);
  }
  return dt.toUTC();
}

/** The occurrence key the control API speaks: an ISO instant in UTC, any precision. */
export function parseInstant(value: string | Date): DateTime {
  const dt = value instanceof Date ? DateTime.fromJSDate(value) : DateTime.fromISO(value, { zone: 'UTC' });
  if (!dt.isValid) throw new Error(`not an instant: ${String(value)}`);
  return dt.toUTC();
}

const localDates = new Map<string, string>();

/**
 * The date (yyyy-MM-dd) of an instant in an IANA zone, kept: a delta round names each instance of
 * every series in its window by the date of its original start in the recurrence's zone, and
 * luxon's zone conversion for each was most of the emulator's CPU in a burst of cancellations.
 */
export function localIsoDate(ms: number, zone: string): string {
  const key = `${zone}|${ms}`;
  let date = localDates.get(key);
  if (date === undefined) {
    date = DateTime.fromMillis(ms, { zone }).toISODate() ?? '';
    if (localDates.size >= 200_000) localDates.clear();
    localDates.set(key, date);
  }
  return date;
}
