import type { ConnectionDoc } from './models.js';

/** What a calendar provider contributes to connecting an account (Google now, Microsoft next). */
export interface OAuthProvider {
  readonly provider: 'google' | 'microsoft';
  /** The consent page for this state, offline access, the narrowest calendar scope. */
  consentUrl(state: string, loginHint: string): string;
  /** Trades the code for tokens; the refresh token is what Cadence keeps. */
  exchange(
    code: string,
  ): Promise<{ refreshToken: string; scope: string | null; calendarId: string; accountEmail: string | null }>;
  /** After a (re)connection: watch the calendar and sync it. */
  connected(connection: ConnectionDoc): Promise<void>;
  /** After a disconnection or a refused refresh token: stop watching (remotely when still possible). */
  disconnected(connection: ConnectionDoc, opts: { remote: boolean }): Promise<void>;
}
