export {
  instantSchema,
  localDateSchema,
  localTimeSchema,
  timeZoneSchema,
  WEEKDAYS,
  weekdayNumber,
  weekdaySchema,
  type Weekday,
} from './time/zones.js';
export { occurrenceKey, occurrenceKeySchema, parseOccurrenceKey } from './time/occurrence-key.js';
export { isoWeekLabel, isoWeekOf, weeklyStarts, type WeeklyRule } from './time/weekly.js';
export { inZone, localIso, wallClockInstant, zoneOffset } from './time/offsets.js';
