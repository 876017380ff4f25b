/**
 * Loopback emulator of the Google Calendar v3 API and Google OAuth, for tests and benchmarks.
 * Point googleapis at it with `google.calendar({version: 'v3', auth, rootUrl: emulator.url})` and
 * `new google.auth.OAuth2({clientId, clientSecret, endpoints: {oauth2TokenUrl: emulator.tokenUrl}})`.
 */
export {
  GoogleEmulator,
  startGoogleEmulator,
  type Account,
  type AddAccountOptions,
  type GoogleEmulatorOptions,
} from './emulator.js';
export type { CallRecord, ChaosSettings, FailureSpec } from './faults.js';
export type { Channel, Delivery } from './notifications.js';
export type { GoogleEvent } from './event-render.js';
export type { ResponseStatus } from './model.js';
export type { TimeInput } from './time.js';
export { SCOPES } from './oauth.js';
