import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** A target the guard refuses; the message is safe to show to the customer. */
export class TargetRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefused';
  }
}

const RANGE_NAMES: Record<string, string> = {
  private: 'a private',
  loopback: 'a loopback',
  linkLocal: 'a link-local (cloud metadata)',
  uniqueLocal: 'a private (unique local)',
  carrierGradeNat: 'a shared (carrier-grade NAT, cloud metadata)',
  unspecified: 'an unspecified',
  broadcast: 'a broadcast',
  multicast: 'a multicast',
  reserved: 'a reserved',
};

/** Names of well-known metadata services, refused even before they resolve. */
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TargetRefused(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Keeps webhooks away from the inside of the network (SSRF): only https, except http to loopback
 * when development allows it; every address a host resolves to must be public unicast, unless
 * allow-listed. The sender connects to the address checked here (see transport.ts), so a DNS
 * answer that changes between the check and the connection cannot redirect it.
 */
export class TargetGuard {
  private readonly cidrs: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  private readonly hosts = new Set<string>();

  constructor(
    private readonly opts: { allowHttpLoopback: boolean; allowedTargets: readonly string[]; resolveTimeoutMs?: number },
    private readonly resolver: Resolver = systemResolver,
  ) {
    for (const entry of opts.allowedTargets) {
      if (ipaddr.isValidCIDR(entry)) this.cidrs.push(ipaddr.parseCIDR(entry));
      else if (ipaddr.isValid(entry)) {
        const addr = ipaddr.parse(entry);
        this.cidrs.push([addr, addr.kind() === 'ipv4' ? 32 : 128]);
      } else this.hosts.add(entry.toLowerCase());
    }
  }

  /** Checks a URL and resolves its host; the first address is the one to connect to. */
  async resolve(raw: string | URL): Promise<ResolvedAddress> {
    const url = typeof raw === 'string' ? parseUrl(raw) : raw;
    if (url.username || url.password) throw new TargetRefused('must not contain credentials; receivers check the signature');
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TargetRefused('must be an https URL');
    if (url.protocol === 'http:' && !this.opts.allowHttpLoopback) throw new TargetRefused('must be an https URL');
    const hostname = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (METADATA_HOSTS.has(hostname)) throw new TargetRefused(`must not target a cloud metadata service (${hostname})`);

    const addresses = ipaddr.isValid(hostname)
      ? [{ address: hostname, family: ipaddr.parse(hostname).kind() === 'ipv6' ? 6 : 4 } as ResolvedAddress]
      : await this.lookup(hostname);
    if (!addresses.length) throw new TargetRefused(`${hostname} does not resolve`);
    const allowedHost = this.hosts.has(hostname);
    for (const { address } of addresses) {
      const range = this.rangeOf(address);
      const permitted =
        range === 'unicast' || allowedHost || this.allowListed(address) || (range === 'loopback' && this.opts.allowHttpLoopback);
      if (!permitted) {
        throw new TargetRefused(
          `resolves to ${address}, ${RANGE_NAMES[range] ?? 'a non-public'} address; only public addresses can receive webhooks`,
        );
      }
      if (url.protocol === 'http:' && range !== 'loopback')
        throw new TargetRefused('may use http only for a loopback address (development); use https');
    }
    return addresses[0]!;
  }

  private async lookup(hostname: string): Promise<ResolvedAddress[]> {
    try {
      return await withTimeout(
        this.resolver(hostname),
        this.opts.resolveTimeoutMs ?? 5000,
        `${hostname} did not resolve in time`,
      );
    } catch (err) {
      if (err instanceof TargetRefused) throw err;
      throw new TargetRefused(`${hostname} does not resolve`);
    }
  }

  private rangeOf(address: string): string {
    // ipaddr.process turns ::ffff:10.0.0.1 into 10.0.0.1, so a mapped address is judged as IPv4
    return ipaddr.process(address).range();
  }

  private allowListed(address: string): boolean {
    const addr = ipaddr.process(address);
    return this.cidrs.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits));
  }
}

function parseUrl(raw: string): URL {
  try {
    return new URL(raw);
  } catch {
    throw new TargetRefused('must be an absolute URL');
  }
}
