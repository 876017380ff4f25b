import type { z } from 'zod';
import { badRequest, type FieldError, type HttpProblem } from './problem.js';

type Location = FieldError['location'];

/** Turns zod issues into field errors; unknown keys are named one by one. */
export function fieldErrorsFromZod(error: z.ZodError, location: Location): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ location, field: base ? `${base}.${key}` : key, message: 'is not a known field' }));
    }
    return [{ location, field: base, message: issue.message }];
  });
}

export function problemFromZod(error: z.ZodError, location: Location): HttpProblem {
  const errors = fieldErrorsFromZod(error, location);
  const named = [...new Set(errors.map((e) => e.field || location))];
  return badRequest(`Invalid ${location}: ${named.join(', ')}.`, errors);
}
