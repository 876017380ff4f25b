/**
 * The googleapis client, entered through its Calendar module. `googleapis`' index declares the
 * types of every Google API (about 1,900 files; 2 GB and 25 s for each TypeScript program that
 * sees them); the calendar entry point is the same client with one API's types.
 */
import { auth, calendar, calendar_v3 } from 'googleapis/build/src/apis/calendar/index.js';

export const google = { auth, calendar };
export { calendar_v3 };
