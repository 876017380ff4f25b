import {
  Client,
  CustomAuthenticationProvider,
  HTTPMessageHandler,
  MiddlewareFactory,
  type AuthProvider,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import { graphBaseUrl, type MicrosoftSettings } from './settings.js';

/**
 * Gives each Graph request its own deadline. The graph client has no timeout of its own, and a
 * call that never answers would hold the sync that made it until undici gives up (5 minutes);
 * aborted, it fails like a dropped connection and withGraphRetry tries again.
 */
class RequestTimeout implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly timeoutMs: number) {}

  async execute(context: Context): Promise<void> {
    context.options = { ...context.options, signal: AbortSignal.timeout(this.timeoutMs) };
    await this.next!.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/**
 * A Graph client as Cadence uses it: the client's default middleware (auth, retry on 429/503/504,
 * redirects, telemetry) with a deadline on each request just before it is sent, at the configured
 * Graph address.
 */
export function graphClient(settings: MicrosoftSettings, authProvider: AuthProvider): Client {
  const chain = MiddlewareFactory.getDefaultMiddlewareChain(new CustomAuthenticationProvider(authProvider));
  const send = chain.findIndex((m) => m instanceof HTTPMessageHandler);
  chain.splice(send < 0 ? chain.length - 1 : send, 0, new RequestTimeout(settings.MICROSOFT_REQUEST_TIMEOUT_MS));
  return Client.initWithMiddleware({
    middleware: chain,
    baseUrl: graphBaseUrl(settings),
    customHosts: new Set([new URL(graphBaseUrl(settings)).hostname]),
  });
}
