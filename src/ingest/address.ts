import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { IngestRefusedError } from './errors.js';

/**
 * Which hosts the ingester may connect to. Only public unicast addresses,
 * unless INGEST_ALLOW_HOSTS names the host or a range holding its address:
 * a crawler inside a newsroom's network must not become a way into it (SSRF).
 */
export class HostPolicy {
  private readonly names = new Set<string>();
  private readonly ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];

  /** @param allowed INGEST_ALLOW_HOSTS: host names, addresses or CIDR ranges. */
  constructor(allowed: readonly string[] = []) {
    for (const entry of allowed) {
      if (entry.includes('/')) this.ranges.push(ipaddr.parseCIDR(entry));
      else if (ipaddr.isValid(entry)) {
        const address = ipaddr.process(entry);
        this.ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
      } else this.names.add(entry.toLowerCase());
    }
  }

  /** Parses INGEST_ALLOW_HOSTS, or says which entry is wrong. */
  static parse(list: string | undefined): HostPolicy | { problem: string } {
    const entries = (list ?? '').split(/[\s,]+/).filter(Boolean);
    for (const entry of entries) {
      if (entry.includes('/') && !ipaddr.isValidCIDR(entry)) return { problem: `"${entry}" is not a CIDR range` };
      if (!entry.includes('/') && !ipaddr.isValid(entry) && !/^[a-z0-9.-]+$/i.test(entry))
        return { problem: `"${entry}" is not a host name, an address or a CIDR range` };
    }
    return new HostPolicy(entries);
  }

  /** Whether a host name is allowed whatever it resolves to. */
  allowsName(host: string): boolean {
    return this.names.has(host.toLowerCase());
  }

  /** Why a connection to `address` (for `host`) is refused, or undefined when it is allowed. */
  refusal(host: string, address: string): string | undefined {
    if (this.allowsName(host)) return undefined;
    if (!ipaddr.isValid(address)) return `"${address}" is not an address`;
    const parsed = ipaddr.process(address); // an IPv4-mapped IPv6 address is read as the IPv4 one
    if (this.ranges.some(([base, bits]) => base.kind() === parsed.kind() && parsed.match(base, bits))) return undefined;
    const range = parsed.range();
    if (range === 'unicast') return undefined;
    return `${host} resolves to ${parsed.toString()} (${range}), which is refused: only public addresses are fetched unless INGEST_ALLOW_HOSTS lists the host`;
  }

  /**
   * Checks a URL before any request: http or https, and every address its
   * host resolves to allowed. The connection checks the address it really
   * uses again (see http.ts), so a name that changes its answer is caught too.
   *
   * @throws IngestRefusedError
   */
  async check(url: URL): Promise<void> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new IngestRefusedError(url.href, 'url', `only http and https addresses are fetched, not ${url.protocol}`);
    if (url.username || url.password)
      throw new IngestRefusedError(url.href, 'url', 'addresses with a user name or password are not fetched');
    const host = hostOf(url);
    if (this.allowsName(host)) return;
    let addresses: string[];
    if (isIP(host)) addresses = [host];
    else {
      try {
        addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
      } catch (error) {
        throw new IngestRefusedError(url.href, 'network', `${host} cannot be resolved (${(error as Error).message})`);
      }
    }
    for (const address of addresses) {
      const why = this.refusal(host, address);
      if (why) throw new IngestRefusedError(url.href, 'address', why);
    }
  }
}

/** A URL's host without the brackets of an IPv6 literal. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}
