/**
 * FROZEN COPY, for test/report/ip.test.ts only: src/report/aggregate/ip.ts as it was before it
 * used ipaddr.js (issue 12 #22), kept as the oracle that the new code must agree with.
 *
 * A report's source_ip in its three forms: the canonical text we read and store (RFC 5952),
 * the eight-group IPv6 text RFC 7489 App. C's IPAddress pattern insists on (no `::`), and the
 * 16-byte binary form the store indexes for range queries.
 */
import { isIP, isIPv6 } from 'node:net';


/**
 * 16-byte binary form of a source IP for range queries (`ip_bin BETWEEN lo AND hi` answers
 * "which sources fall in 2001:db8::/48 or 192.0.2.0/24"). IPv4 maps into ::ffff:0:0/96
 * (RFC 4291 §2.5.5.2) so both families sort in one index.
 */
export function ipToBytes(ip: string, version: 4 | 6 | null): Buffer | null {
  if (version === 4) return v4(ip);
  if (version === 6) return v6(ip);
  return null;
}

function v4(ip: string): Buffer | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  const out = Buffer.alloc(16);
  out[10] = 0xff;
  out[11] = 0xff;
  for (let i = 0; i < 4; i++) {
    const n = Number(parts[i]);
    if (!Number.isInteger(n) || n < 0 || n > 255) return null;
    out[12 + i] = n;
  }
  return out;
}

function v6(ip: string): Buffer | null {
  let text = ip;
  const out = Buffer.alloc(16);
  // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] !== undefined) {
    const tail = v4(dotted[1]);
    if (tail === null) return null;
    text = `${text.slice(0, dotted.index)}${tail.readUInt16BE(12).toString(16)}:${tail.readUInt16BE(14).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : (halves[0] ?? '').split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : (halves[1] ?? '').split(':')) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  for (let i = 0; i < 8; i++) {
    const g = groups[i] ?? '';
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  }
  return out;
}

/** Canonical text for an IP address: IPv6 compressed and lower-cased (RFC 5952 §4) so that the
 * same source is one value whatever the reporter wrote. */
export function canonicalIp(raw: string): { text: string; version: 4 | 6 | null } {
  const t = raw.trim();
  const v = isIP(t);
  if (v === 4) return { text: t, version: 4 };
  if (v === 6) return { text: new URL(`http://[${t}]/`).hostname.slice(1, -1), version: 6 };
  // IPv6 with a zone or brackets, IPv4 with leading zeros: keep as written.
  const unbracketed = t.replace(/^\[(.*)\]$/, '$1');
  if (unbracketed !== t && isIP(unbracketed) === 6) return canonicalIp(unbracketed);
  return { text: t, version: null };
}

/** `2001:db8::1` → `2001:db8:0:0:0:0:0:1`; IPv4 and anything else unchanged. */
export function fullIpv6(ip: string): string {
  const bytes = isIPv6(ip) ? ipToBytes(ip, 6) : null;
  if (bytes === null) return ip;
  return Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16)).join(':');
}
