/**
 * The DNS port. It has mailauth's resolver shape — node's `dns.promises.resolve(name, rrtype)` —
 * so one resolver (system DNS or `[dns] servers`, with a cache; src/platform/dns-resolver.ts)
 * serves verification, rua discovery, PTR naming and `ruaflow check` alike.
 *
 * Answers come back in node's shapes: TXT as `string[][]` (one array of character-strings per
 * record, RFC 1035 §3.3.14), A / AAAA / PTR / CNAME / NS as `string[]`, MX as
 * `{ exchange, priority }[]`. Failures throw an Error whose `code` is node's: `ENOTFOUND`
 * (NXDOMAIN) and `ENODATA` (the name exists, no record of that type) mean "no record";
 * anything else (`ETIMEOUT`, `ESERVFAIL`, `ECONNREFUSED`, …) is a temporary error.
 */
import ipaddr from 'ipaddr.js';

// `any[]`, not `unknown[]`: the shape depends on rrtype, and mailauth's `DNSResolver` type
// (string[] | string[][]) must accept ours. Read answers through the typed lookups below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type DnsResolver = (name: string, rrtype: string) => Promise<any[]>;

export interface MxRecord {
  readonly exchange: string;
  readonly priority: number;
}

/** The answer to one query as a value: records, none (NXDOMAIN / NODATA), or a temporary error. */
export type DnsAnswer<T> =
  | { readonly kind: 'records'; readonly records: readonly T[] }
  | { readonly kind: 'none'; readonly nxdomain: boolean }
  | { readonly kind: 'temperror'; readonly code: string; readonly message: string };

/** Error codes that mean "there is no such record" rather than "the lookup failed". */
const NO_RECORD_CODES = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'ENONAME']);

function dnsErrorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
}

export const isNoRecord = (error: unknown): boolean => NO_RECORD_CODES.has(dnsErrorCode(error));

async function ask<T>(resolver: DnsResolver, name: string, rrtype: string): Promise<DnsAnswer<T>> {
  try {
    const records = (await resolver(name, rrtype)) as T[];
    return records.length === 0 ? { kind: 'none', nxdomain: false } : { kind: 'records', records };
  } catch (error) {
    if (isNoRecord(error)) return { kind: 'none', nxdomain: dnsErrorCode(error) !== 'ENODATA' };
    return { kind: 'temperror', code: dnsErrorCode(error), message: (error as Error).message };
  }
}

/** TXT records, each joined from its character-strings (RFC 7208 §3.3, RFC 6376 §3.6.2.2). */
export async function lookupTxt(resolver: DnsResolver, name: string): Promise<DnsAnswer<string>> {
  const answer = await ask<string[] | string>(resolver, name, 'TXT');
  if (answer.kind !== 'records') return answer;
  return { kind: 'records', records: answer.records.map((r) => (Array.isArray(r) ? r.join('') : String(r))) };
}

export const lookupAddresses = (resolver: DnsResolver, name: string, family: 4 | 6): Promise<DnsAnswer<string>> =>
  ask<string>(resolver, name, family === 4 ? 'A' : 'AAAA');

/** Whether a name exists (RFC 8020; RFC 9989 §A.4, for np=): NXDOMAIN to an A query means it
 * does not; any other answer, NODATA included, means it does. */
export async function nameExists(resolver: DnsResolver, name: string): Promise<{ readonly exists: boolean } | Extract<DnsAnswer<never>, { kind: 'temperror' }>> {
  const answer = await lookupAddresses(resolver, name, 4);
  if (answer.kind === 'temperror') return answer;
  return { exists: answer.kind === 'records' || !answer.nxdomain };
}

export const lookupPtr = (resolver: DnsResolver, reverseName: string): Promise<DnsAnswer<string>> =>
  ask<string>(resolver, reverseName, 'PTR');

export const lookupMx = (resolver: DnsResolver, name: string): Promise<DnsAnswer<MxRecord>> =>
  ask<MxRecord>(resolver, name, 'MX');

/** `192.0.2.1` → `1.2.0.192.in-addr.arpa`; IPv6 → nibbles under `ip6.arpa` (RFC 3596 §2.5).
 * The address's bytes come from ipaddr.js, which already expands `::` and IPv4 tails. */
export function reverseName(ip: string): string {
  const bytes = ipaddr.parse(ip).toByteArray();
  if (bytes.length === 4) return `${bytes.reverse().join('.')}.in-addr.arpa`;
  const nibbles = bytes.flatMap((b) => [b >> 4, b & 15]).map((n) => n.toString(16));
  return `${nibbles.reverse().join('.')}.ip6.arpa`;
}
