/** The stored sync cursor is no longer accepted (Google 410 fullSyncRequired, a stale Graph delta link). */
export class CursorExpiredError extends Error {
  constructor(message = 'sync cursor expired') {
    super(message);
    this.name = 'CursorExpiredError';
  }
}

/** The provider refused the refresh token: the person must connect again. */
export class ReauthRequiredError extends Error {
  constructor(message = 'the refresh token was refused') {
    super(message);
    this.name = 'ReauthRequiredError';
  }
}
