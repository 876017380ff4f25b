import { STATUS_CODES } from 'node:http';
import { z } from 'zod';

export const fieldErrorSchema = z.object({
  location: z.enum(['body', 'query', 'params', 'headers']),
  field: z.string().describe('Dotted path of the offending field; empty for the whole part'),
  message: z.string(),
});
export type FieldError = z.infer<typeof fieldErrorSchema>;

/** RFC 9457 problem details, the body of every error response. */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  errors: z.array(fieldErrorSchema).optional(),
});
export type Problem = z.infer<typeof problemSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Problem types beyond the plain HTTP status ones (which use `about:blank`). */
export const problemTypes = {
  validation: 'urn:cadence:problem:validation-error',
  conflict: 'urn:cadence:problem:conflict',
  unavailable: 'urn:cadence:problem:service-unavailable',
} as const;

/** An error that becomes a problem+json response as it stands. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    init: { detail?: string; title?: string; type?: string; errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(init.detail ?? init.title ?? STATUS_CODES[status] ?? 'Error');
    this.name = 'HttpProblem';
    this.status = status;
    this.type = init.type ?? 'about:blank';
    this.title = init.title ?? STATUS_CODES[status] ?? 'Error';
    this.detail = init.detail;
    this.errors = init.errors;
    this.headers = init.headers ?? {};
  }

  toJSON(): Problem {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      ...(this.errors === undefined ? {} : { errors: this.errors }),
    };
  }
}

export const badRequest = (detail: string, errors: FieldError[]) =>
  new HttpProblem(400, { type: problemTypes.validation, title: 'Invalid request', detail, errors });

export const notFound = (detail = 'No such resource.') => new HttpProblem(404, { detail });

export const conflict = (detail: string, errors?: FieldError[]) =>
  new HttpProblem(409, { type: problemTypes.conflict, title: 'Conflict', detail, ...(errors ? { errors } : {}) });

export const unavailable = (detail: string) =>
  new HttpProblem(503, { type: problemTypes.unavailable, title: 'Service Unavailable', detail, headers: { 'Retry-After': '5' } });
