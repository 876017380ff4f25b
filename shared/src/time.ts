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
export {
  occurrenceKey,
  occurrenceKeySchema,
  occurrenceStart,
  parseOccurrenceKey,
  type OccurrenceStart,
} from './time/occurrence-key.js';
export { isoWeekOf, weeklyStarts, type WeeklyRule } from './time/weekly.js';
export { inZone, localDay, localIso, type LocalDay, localMidnight, wallClockInstant, zoneOffset } from './time/offsets.js';
