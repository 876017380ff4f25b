import tls from 'node:tls';
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import type { Dispatcher } from 'undici';

/*
 * Node 20's global fetch (used by the graph client) reads undici's global dispatcher, which the
 * undici package shares with it. Trusting the test CA means installing an Agent whose CA list is
 * Node's roots plus every emulator CA currently trusted, and restoring the original when done.
 */
const trusted = new Set<string>();
let original: Dispatcher | undefined;

function install(): void {
  if (trusted.size === 0) {
    if (original) setGlobalDispatcher(original);
    original = undefined;
    return;
  }
  original ??= getGlobalDispatcher();
  // one secure context for every connection: a `ca` list is parsed again at each TLS connection
  // (~150 certificates; a quarter of the CPU of the two-provider cancellation benchmark)
  const secureContext = tls.createSecureContext({ ca: [...tls.rootCertificates, ...trusted] });
  setGlobalDispatcher(new Agent({ connect: { secureContext } }));
}

/** Makes this process's global fetch trust `caPem`; returns a function that undoes it. */
export function trustCaInThisProcess(caPem: string): () => void {
  trusted.add(caPem);
  install();
  return () => {
    trusted.delete(caPem);
    install();
  };
}
