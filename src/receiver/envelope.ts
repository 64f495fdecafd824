/**
 * The SMTP envelope of a message to verify, checked once (pure): the connecting IP (canonical
 * text), HELO name, MAIL FROM ('' for the null reverse-path `<>`) and RCPT TO addresses.
 * Returns a value or the one-line reason it is unusable.
 */
import { canonicalIp } from '../report/aggregate/ip.js';
import type { Envelope } from './types.js';

export interface EnvelopeInput {
  readonly ip: unknown;
  readonly helo: unknown;
  readonly mailFrom: unknown;
  readonly rcpt: unknown;
}

export type EnvelopeCheck = { readonly ok: true; readonly envelope: Envelope } | { readonly ok: false; readonly error: string };

/** Loose on purpose: the MTA accepted these already; we only refuse what cannot be an address. */
const ADDRESS = /^[^\s<>]+@[^\s@<>]+$/;

export function checkEnvelope(input: EnvelopeInput, names = { ip: 'ip', helo: 'helo', mailFrom: 'mail_from', rcpt: 'rcpt' }): EnvelopeCheck {
  // The canonical text the reports we store use too (RFC 5952 for IPv6), so the two compare.
  const canonical = typeof input.ip === 'string' ? canonicalIp(input.ip) : null;
  if (canonical === null || canonical.version === null) {
    return { ok: false, error: `${names.ip}: expected an IPv4 or IPv6 address, got ${JSON.stringify(input.ip ?? null)}` };
  }
  const ip = canonical.text;
  if (typeof input.helo !== 'string' || input.helo.trim() === '' || /\s/.test(input.helo.trim())) {
    return { ok: false, error: `${names.helo}: expected the HELO/EHLO name, got ${JSON.stringify(input.helo ?? null)}` };
  }
  if (typeof input.mailFrom !== 'string') {
    return { ok: false, error: `${names.mailFrom}: expected the MAIL FROM address ("" or "<>" for a bounce)` };
  }
  let mailFrom = input.mailFrom.trim();
  if (mailFrom.startsWith('<') && mailFrom.endsWith('>')) mailFrom = mailFrom.slice(1, -1).trim();
  if (mailFrom !== '' && !ADDRESS.test(mailFrom)) {
    return { ok: false, error: `${names.mailFrom}: "${input.mailFrom}" is not an address ("" or "<>" for a bounce)` };
  }
  const list = input.rcpt === undefined || input.rcpt === null ? [] : input.rcpt;
  if (!Array.isArray(list) || list.some((r) => typeof r !== 'string')) {
    return { ok: false, error: `${names.rcpt}: expected a list of addresses` };
  }
  const rcpt = (list as string[]).map((r) => r.trim().replace(/^<(.*)>$/, '$1'));
  const bad = rcpt.find((r) => !ADDRESS.test(r));
  if (bad !== undefined) return { ok: false, error: `${names.rcpt}: "${bad}" is not an address` };
  return { ok: true, envelope: { ip, helo: input.helo.trim(), mailFrom, rcpt } };
}
