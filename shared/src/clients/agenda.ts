import { z } from 'zod';

const linkSchema = z.object({ seriesId: z.string(), url: z.string(), issued: z.boolean() });

/**
 * The scheduling service's side of agenda links: when a series is created it asks the agenda
 * service (internal token) for the series' link, so the first invite already carries it.
 */
export class AgendaLinkClient {
  constructor(
    /** A function when the address is only known later (tests start both services on free ports). */
    private readonly baseUrl: string | (() => string),
    private readonly internalToken: string,
    private readonly timeoutMs = 5000,
  ) {}

  async issue(organizationId: string, seriesId: string): Promise<string> {
    const res = await fetch(
      new URL('/internal/v1/agenda-links', typeof this.baseUrl === 'string' ? this.baseUrl : this.baseUrl()),
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-internal-token': this.internalToken },
        body: JSON.stringify({ organizationId, seriesId }),
        signal: AbortSignal.timeout(this.timeoutMs),
      },
    );
    if (!res.ok) throw new Error(`agenda service answered ${res.status} for the link of ${seriesId}`);
    return linkSchema.parse(await res.json()).url;
  }
}
