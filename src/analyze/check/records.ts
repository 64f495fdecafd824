/**
 * The DNS records we tell people to publish, as text: the DKIM key record, a suggested SPF
 * record from our relays and services, a starting DMARC record with our rua, and the zone-file
 * form of any TXT record. Pure; shared by `ruaflow check` (its fixes) and `ruaflow keygen`.
 */
import { authorizationName } from '../../dmarc/destination.js';
import type { KeyAlgorithm } from '../../types/signing-keys.js';

/** One TXT record to publish. */
export interface TxtRecord {
  /** The owner name, fully qualified, without the trailing dot. */
  readonly name: string;
  readonly value: string;
}

/** RFC 1035 §3.3.14: a character-string holds at most 255 octets; longer TXT values are
 * published as several strings, which receivers join (RFC 6376 §3.6.2.2, RFC 7208 §3.3). */
export const TXT_STRING_MAX = 255;

/** Splits a TXT value into character-strings of at most 255 octets (our values are ASCII). */
export function splitTxtValue(value: string): string[] {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += TXT_STRING_MAX) parts.push(value.slice(i, i + TXT_STRING_MAX));
  return parts.length === 0 ? [''] : parts;
}

/** `name. IN TXT ( "…" "…" )`, the form BIND-style zone files and most DNS panels accept. */
export function zoneTxt(record: TxtRecord): string {
  const strings = splitTxtValue(record.value).map((s) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`);
  const rdata = strings.length === 1 ? strings[0] : `( ${strings.join(' ')} )`;
  return `${record.name}. IN TXT ${rdata}`;
}

/** Reads back the strings of one zoneTxt line (for tests and for people pasting records). */
export function parseZoneTxt(line: string): TxtRecord | null {
  const m = /^(\S+?)\.?\s+(?:\d+\s+)?IN\s+TXT\s+(.*)$/.exec(line.trim());
  if (!m || m[1] === undefined || m[2] === undefined) return null;
  const strings = [...m[2].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((s) => (s[1] ?? '').replace(/\\(.)/g, '$1'));
  return strings.length === 0 ? null : { name: m[1], value: strings.join('') };
}

/** The DKIM key record (RFC 6376 §3.6.1; k=ed25519 per RFC 8463 §4.2). */
export function dkimRecord(selector: string, signingDomain: string, algorithm: KeyAlgorithm, publicKeyDns: string): TxtRecord {
  return { name: `${selector}._domainkey.${signingDomain}`, value: `v=DKIM1; k=${algorithm}; p=${publicKeyDns}` };
}

export interface SpfSource {
  readonly relays: readonly string[];
  readonly services: readonly { readonly ips: readonly string[] }[];
}

/** `ip4:` / `ip6:` term for an address or range (RFC 7208 §5.6). */
export const spfIpTerm = (ipOrRange: string): string => `${ipOrRange.includes(':') ? 'ip6' : 'ip4'}:${ipOrRange}`;

/** A suggested SPF record: our relays and the services' ranges, then `-all`. Without relays we
 * cannot name our senders, so the suggestion falls back to `mx` (the note says to replace it). */
export function suggestedSpf(domain: string, source: SpfSource): { record: TxtRecord; note: string | null } {
  const ranges = [...source.relays, ...source.services.flatMap((s) => s.ips)];
  const terms = [...new Set(ranges.map(spfIpTerm))];
  const body = terms.length > 0 ? terms.join(' ') : 'mx';
  return {
    record: { name: domain, value: `v=spf1 ${body} -all` },
    note: terms.length > 0 ? null : 'no relays configured: "mx" authorises your MX hosts; list your outbound relays instead ([[domains]] relays)',
  };
}

/** The SPF record with `term` added before its `all` / `redirect=` (or at the end). */
export function spfWithTerm(record: string, term: string): string {
  const words = record.trim().split(/\s+/);
  const at = words.findIndex((w) => /^[+\-~?]?all$/i.test(w) || /^redirect=/i.test(w));
  if (at < 0) return [...words, term].join(' ');
  return [...words.slice(0, at), term, ...words.slice(at)].join(' ');
}

/** A first DMARC record: monitoring (p=none) with our rua (RFC 7489 §6.3), to tighten later. */
export function suggestedDmarc(domain: string, rua: string): TxtRecord {
  return { name: `_dmarc.${domain}`, value: `v=DMARC1; p=none; rua=mailto:${rua}` };
}

/** RFC 7489 §7.1: a report receiver at another organisational domain authorises our domain, at
 * the name report senders ask (dmarc/destination.ts authorizationName). */
export function ruaAuthorization(domain: string, ruaHost: string): TxtRecord {
  return { name: authorizationName(domain, ruaHost) ?? `${domain}._report._dmarc.${ruaHost}`, value: 'v=DMARC1' };
}
