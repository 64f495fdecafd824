/**
 * A report's source_ip in its three forms: the canonical text we read and store (RFC 5952),
 * the eight-group IPv6 text RFC 7489 App. C's IPAddress pattern insists on (no `::`), and the
 * 16-byte binary form the store indexes for range queries. Parsing and printing are ipaddr.js's;
 * what is ours is which written forms count as an address at all (below).
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * 16-byte binary form of a source IP for range queries (`ip_bin BETWEEN lo AND hi` answers
 * "which sources fall in 2001:db8::/48 or 192.0.2.0/24"). IPv4 maps into ::ffff:0:0/96
 * (RFC 4291 §2.5.5.2) so both families sort in one index.
 */
export function ipToBytes(ip: string, version: 4 | 6 | null): Buffer | null {
  if (version === 4) return isDottedQuad(ip) ? Buffer.from(ipaddr.IPv4.parse(ip).toIPv4MappedAddress().toByteArray()) : null;
  if (version === 6) return isPlainIpv6(ip) ? Buffer.from(parseIpv6(ip).toByteArray()) : null;
  return null;
}

/**
 * IPv4 as four decimal parts without leading zeros (RFC 7489 App. C's IPAddress pattern; node's
 * isIP, the fast check per record). ipaddr.js alone would also read the classful and octal or hex
 * forms of inet_aton (`1.2.3`, `0x7f.1`, `010.0.0.1`), which a report means as something else or
 * nothing: those are not addresses here.
 */
function isDottedQuad(ip: string): boolean {
  return isIP(ip) === 4;
}

/**
 * IPv6 text (RFC 4291 §2.2), an embedded dotted-quad tail included, without a zone id: a zone
 * (`fe80::1%eth0`, RFC 6874) names an interface of the reporter's host and is meaningless in a
 * report, so such text is kept as written rather than read as an address.
 */
function isPlainIpv6(ip: string): boolean {
  return isIP(ip) === 6 && !ip.includes('%');
}

const DOTTED_TAIL = /(?:^|:)([^:]*\.[^:]*)$/;

/**
 * Parsed IPv6, with a dotted-quad tail read as the two groups it spells. ipaddr.js reads `::a.b.c.d`
 * as the IPv4-mapped `::ffff:a.b.c.d`; RFC 4291 §2.5.5.1 makes it the (deprecated) IPv4-compatible
 * address `::a.b.c.d`, a different address, which is how it has always been stored.
 */
function parseIpv6(ip: string): ipaddr.IPv6 {
  const dotted = DOTTED_TAIL.exec(ip);
  if (dotted?.[1] === undefined) return ipaddr.IPv6.parse(ip);
  const [a = 0, b = 0, c = 0, d = 0] = ipaddr.IPv4.parse(dotted[1]).octets;
  const groups = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  return ipaddr.IPv6.parse(ip.slice(0, ip.length - dotted[1].length) + groups);
}

/** Canonical text for an IP address: IPv6 compressed and lower-cased (RFC 5952 §4) so that the
 * same source is one value whatever the reporter wrote. */
export function canonicalIp(raw: string): { text: string; version: 4 | 6 | null } {
  const t = raw.trim();
  if (isDottedQuad(t)) return { text: t, version: 4 };
  // RFC 5952 §5 would write an IPv4-mapped address with a dotted tail; we keep the hex groups
  // (`::ffff:c000:201`), as stored since the first release.
  if (isPlainIpv6(t)) return { text: parseIpv6(t).toRFC5952String(), version: 6 };
  // IPv6 in brackets (the URI form, RFC 3986 §3.2.2) is the address inside.
  const unbracketed = t.replace(/^\[(.*)\]$/, '$1');
  if (unbracketed !== t && isPlainIpv6(unbracketed)) return canonicalIp(unbracketed);
  // With a zone, IPv4 with leading zeros, anything else: keep as written.
  return { text: t, version: null };
}

/** `2001:db8::1` → `2001:db8:0:0:0:0:0:1`; IPv4 and anything else unchanged. */
export function fullIpv6(ip: string): string {
  if (!isPlainIpv6(ip)) return ip;
  return parseIpv6(ip).toNormalizedString();
}
