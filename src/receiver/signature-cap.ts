/**
 * At most `max` DKIM signatures of one message are verified (pure): RFC 6376 §6.1 lets a verifier
 * limit the signatures it tries, to avoid denial of service — each one costs a key lookup in DNS
 * and a public-key operation, and a sender can add as many as it likes (a message with 1,000 of
 * them took ~5 s each against a silent resolver).
 *
 * mailauth verifies every DKIM-Signature field it finds, so the fields beyond the cap are taken
 * out of the header before it sees the message. Which ones are kept matters, since a flood of
 * junk signatures must not push out the one that counts for DMARC: the order of evaluation is
 * the verifier's choice (§6.1), so signatures whose d= can align with the From domain (the same
 * domain, or one under the other) come first, then the rest top-down in header order.
 */
import { isUnder } from '../dmarc/domain-under.js';

export interface CappedMessage {
  /** The message to verify: the original bytes when nothing was taken out. */
  readonly message: Buffer;
  /** DKIM-Signature fields left out (0 when all are verified). */
  readonly unchecked: number;
}

interface Field {
  readonly start: number;
  readonly end: number;
  readonly name: string;
  readonly value: string;
}

export function capDkimSignatures(message: Buffer, max: number): CappedMessage {
  // The header ends at the first empty line (RFC 5322 §2.1); byte offsets through latin1 (1:1).
  const crlf = message.indexOf('\r\n\r\n');
  // A bare-LF blank line only counts before the first CRLF one: not a scan of every body.
  const lf = (crlf < 0 ? message : message.subarray(0, crlf)).indexOf('\n\n');
  const end = crlf < 0 ? (lf < 0 ? message.length : lf + 1) : lf < 0 || crlf < lf ? crlf + 2 : lf + 1;
  const header = message.subarray(0, end).toString('latin1');
  // Quick count first: nearly every message is far under the cap.
  const count = header.match(/^dkim-signature[ \t]*:/gim)?.length ?? 0;
  if (count <= max) return { message, unchecked: 0 };

  const fields = headerFields(header);
  const signatures = fields.filter((f) => f.name === 'dkim-signature');
  const from = fromDomain(fields.find((f) => f.name === 'from')?.value ?? '');
  const related = (f: Field): boolean => {
    const d = /(?:^|;)\s*d\s*=\s*([^;\s]+)/i.exec(f.value)?.[1]?.toLowerCase().replace(/\.$/, '');
    return d !== undefined && from !== null && (isUnder(from, d) || isUnder(d, from));
  };
  const keep = new Set([...signatures.filter(related), ...signatures.filter((f) => !related(f))].slice(0, max));
  let out = '';
  let at = 0;
  for (const f of signatures) {
    if (keep.has(f)) continue;
    out += header.slice(at, f.start);
    at = f.end;
  }
  out += header.slice(at);
  return { message: Buffer.concat([Buffer.from(out, 'latin1'), message.subarray(end)]), unchecked: signatures.length - keep.size };
}

/** Header fields with their byte ranges (folded lines belong to the field above, §2.2.3). */
function headerFields(header: string): Field[] {
  const fields: Field[] = [];
  const line = /[^\n]*\n|[^\n]+$/g;
  let current: { start: number; end: number } | null = null;
  const close = (): void => {
    if (current === null) return;
    const text = header.slice(current.start, current.end);
    const colon = text.indexOf(':');
    fields.push({ ...current, name: (colon < 0 ? text : text.slice(0, colon)).trim().toLowerCase(), value: colon < 0 ? '' : text.slice(colon + 1).replace(/\r?\n[ \t]/g, ' ') });
  };
  for (let m = line.exec(header); m !== null && m[0] !== ''; m = line.exec(header)) {
    if (m[0].startsWith(' ') || m[0].startsWith('\t')) {
      if (current !== null) current.end = m.index + m[0].length;
      continue;
    }
    close();
    current = { start: m.index, end: m.index + m[0].length };
  }
  close();
  return fields;
}

/** The domain of the (first) From address, lower case; null when none can be read. */
function fromDomain(value: string): string | null {
  const angle = /<[^<>]*@([^<>\s]+)>/.exec(value)?.[1];
  const bare = /@([^\s,;<>()"]+)/.exec(value)?.[1];
  const d = (angle ?? bare)?.toLowerCase().replace(/\.$/, '');
  return d === undefined || d === '' ? null : d;
}
