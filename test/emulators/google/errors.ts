/**
 * Google's error shapes. Calendar v3 answers `{"error": {"errors": [...], "code", "message"}}`;
 * the OAuth token endpoint answers the RFC 6749 shape `{"error", "error_description"}`. Clients
 * (gaxios, the adapters) read `.response.data.error.errors[0].reason`, so the reason strings are
 * the contract.
 */

export interface GoogleErrorItem {
  domain: string;
  reason: string;
  message: string;
  locationType?: string;
  location?: string;
}

export interface GoogleErrorBody {
  error: { errors: GoogleErrorItem[]; code: number; message: string };
}

/** Thrown by the domain code; the router turns it into Google's JSON error. */
export class GoogleApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly domain = 'global',
    readonly location?: { type: string; name: string },
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GoogleApiError';
  }

  body(): GoogleErrorBody {
    const item: GoogleErrorItem = { domain: this.domain, reason: this.reason, message: this.message };
    if (this.location) {
      item.locationType = this.location.type;
      item.location = this.location.name;
    }
    return { error: { errors: [item], code: this.status, message: this.message } };
  }
}

/** Thrown by the token endpoint; rendered as `{error, error_description}`. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
    this.name = 'OAuthError';
  }

  body(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

const param = (name: string) => ({ type: 'parameter', name });

export const errors = {
  badRequest: (message: string, reason = 'badRequest', location?: string) =>
    new GoogleApiError(400, reason, message, 'global', location ? param(location) : undefined),
  invalid: (message: string, location?: string) =>
    new GoogleApiError(400, 'invalid', message, 'global', location ? param(location) : undefined),
  required: (message: string, location?: string) =>
    new GoogleApiError(400, 'required', message, 'global', location ? param(location) : undefined),
  parseError: () => new GoogleApiError(400, 'parseError', 'Parse Error'),
  timeRangeEmpty: (location: string) =>
    new GoogleApiError(400, 'timeRangeEmpty', 'The specified time range is empty.', 'global', param(location)),
  loginRequired: () =>
    new GoogleApiError(
      401,
      'required',
      'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      'global',
      { type: 'header', name: 'Authorization' },
    ),
  authError: () =>
    new GoogleApiError(401, 'authError', 'Invalid Credentials', 'global', { type: 'header', name: 'Authorization' }),
  insufficientPermissions: () => new GoogleApiError(403, 'insufficientPermissions', 'Insufficient Permission'),
  notFound: (message = 'Not Found') => new GoogleApiError(404, 'notFound', message),
  duplicate: () => new GoogleApiError(409, 'duplicate', 'The requested identifier already exists.'),
  deleted: () => new GoogleApiError(410, 'deleted', 'Resource has been deleted'),
  fullSyncRequired: () => new GoogleApiError(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.'),
  conditionNotMet: () =>
    new GoogleApiError(412, 'conditionNotMet', 'Precondition Failed', 'global', { type: 'header', name: 'If-Match' }),
  backendError: () => new GoogleApiError(500, 'backendError', 'Backend Error'),
};

/** Google's wording and domain for a status/reason pair, used by fault injection. */
export function injectedError(status: number, reason?: string, retryAfterSeconds?: number): GoogleApiError {
  const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) };
  const chosen = reason ?? defaultReason(status);
  const known: Record<string, { domain: string; message: string }> = {
    rateLimitExceeded: { domain: 'usageLimits', message: 'Rate Limit Exceeded' },
    userRateLimitExceeded: { domain: 'usageLimits', message: 'User Rate Limit Exceeded' },
    quotaExceeded: { domain: 'usageLimits', message: 'Calendar usage limits exceeded.' },
    dailyLimitExceeded: { domain: 'usageLimits', message: 'Daily Limit Exceeded' },
    backendError: { domain: 'global', message: 'Backend Error' },
    internalError: { domain: 'global', message: 'Internal Error' },
    authError: { domain: 'global', message: 'Invalid Credentials' },
    notFound: { domain: 'global', message: 'Not Found' },
    forbiddenForNonOrganizer: {
      domain: 'calendar',
      message: 'Shared properties can only be changed by the organizer of the event.',
    },
  };
  const { domain, message } = known[chosen] ?? { domain: 'global', message: chosen };
  return new GoogleApiError(status, chosen, message, domain, undefined, headers);
}

function defaultReason(status: number): string {
  switch (status) {
    case 401:
      return 'authError';
    case 403:
    case 429:
      return 'rateLimitExceeded';
    case 404:
      return 'notFound';
    case 409:
      return 'duplicate';
    case 410:
      return 'deleted';
    case 412:
      return 'conditionNotMet';
    case 500:
      return 'backendError';
    case 503:
      return 'backendError';
    default:
      return status >= 500 ? 'backendError' : 'badRequest';
  }
}
