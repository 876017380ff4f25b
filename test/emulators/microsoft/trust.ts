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
let oneContext = false;

function install(): void {
  if (trusted.size === 0) {
    if (original) setGlobalDispatcher(original);
    original = undefined;
    return;
  }
  original ??= getGlobalDispatcher();
  const ca = [...tls.rootCertificates, ...trusted];
  setGlobalDispatcher(new Agent({ connect: oneContext ? { secureContext: tls.createSecureContext({ ca }) } : { ca } }));
}

/**
 * Makes this process's global fetch trust `caPem`; returns a function that undoes it. `oneContext`
 * (benchmarks): one TLS secure context for every connection, instead of a `ca` list Node parses
 * again at each one (~150 certificates: a quarter of the two-provider cancellation benchmark's
 * CPU). Tests keep the list: with the shared context, two full test runs each had one Outlook sync
 * that never finished (cause not found; see the issue notes).
 */
export function trustCaInThisProcess(caPem: string, opts: { oneContext?: boolean } = {}): () => void {
  oneContext ||= opts.oneContext ?? false;
  trusted.add(caPem);
  install();
  return () => {
    trusted.delete(caPem);
    install();
  };
}
