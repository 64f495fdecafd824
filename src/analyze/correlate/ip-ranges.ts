/**
 * IP addresses and CIDR ranges from the configuration, parsed once and matched against report
 * source IPs, IPv4 and IPv6 alike. An IPv4-mapped IPv6 address (`::ffff:192.0.2.10`, RFC 4291
 * §2.5.5.2) is the IPv4 address it carries, on either side: some reporters write IPv4 sources
 * that way, and a relay range may be written either way too.
 */
import ipaddr from 'ipaddr.js';
import { parseCidr, type Address, type Cidr } from '../cidr.js';

export type { Address };

export interface IpRanges {
  /** `ip` as text or as parsed by parseAddress (null: not an address, never contained). */
  contains(ip: string | Address | null): boolean;
}

/** `192.0.2.10`, `192.0.2.0/24`, `2001:db8::/48` → matcher. Entries that do not parse are
 * skipped (the configuration schema has already rejected them). */
export function ipRanges(entries: readonly string[]): IpRanges {
  const ranges: Cidr[] = [];
  for (const entry of entries) {
    const range = parseCidr(entry);
    if (range !== null) ranges.push(range);
  }
  return {
    contains(ip) {
      if (ranges.length === 0) return false;
      const address = typeof ip === 'string' ? parseAddress(ip) : ip;
      if (address === null) return false;
      return ranges.some(({ network, bits }) => network.kind() === address.kind() && address.match(network, bits));
    },
  };
}

/** A parsed address with IPv4-mapped IPv6 turned into IPv4; null when `ip` is not an address. */
export function parseAddress(ip: string): Address | null {
  if (!ipaddr.isValid(ip)) return null;
  const address = ipaddr.parse(ip);
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() ? (address as ipaddr.IPv6).toIPv4Address() : address;
}

/** Two spellings of one address (`2001:DB8::1`, `2001:db8:0::1`, `::ffff:192.0.2.1` / `192.0.2.1`). */
export function sameAddress(a: string, b: string): boolean {
  const x = parseAddress(a);
  const y = parseAddress(b);
  return x !== null && y !== null && x.kind() === y.kind() && x.toNormalizedString() === y.toNormalizedString();
}

/** How to show a source: an IPv4-mapped address as `::ffff:192.0.2.10` (the stored canonical
 * form is `::ffff:c000:20a`); anything else as stored. */
export function displayIp(ip: string): string {
  // Only the mapped form needs work; RFC 5952 §5 spells it ::ffff:….
  if (!/^::ffff:/i.test(ip)) return ip;
  const address = parseAddress(ip);
  return address !== null && address.kind() === 'ipv4' ? `::ffff:${address.toString()}` : ip;
}

/** The SPF mechanism that authorises this address (RFC 7208 §5.6): `ip4:…` or `ip6:…`. */
export function spfMechanism(ip: string): string {
  const address = parseAddress(ip);
  if (address === null) return ip;
  return address.kind() === 'ipv4' ? `ip4:${address.toString()}` : `ip6:${(address as ipaddr.IPv6).toRFC5952String()}`;
}
