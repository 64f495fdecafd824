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
