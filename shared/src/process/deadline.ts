/**
 * A promise's result, or `onExpiry()`'s error once `ms` of real time have passed. The work itself
 * is not cancelled (a database call cannot be): it is left to end on its own, and a failure it
 * meets after the deadline is swallowed.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onExpiry: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onExpiry()), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
