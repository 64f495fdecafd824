/**
 * A published SPF record, split into terms (RFC 7208 §4.6.1, §5, §6). Pure: syntax only; the
 * evaluation of an address is mailauth's (spf-range.ts), never a second SPF engine here. Only
 * ip4:/ip6:/include:/redirect=/all are also read for whole ranges (spf-coverage.ts).
 */

export type SpfQualifier = '+' | '-' | '~' | '?';

export type SpfTerm =
  | { readonly kind: 'mechanism'; readonly qualifier: SpfQualifier; readonly name: string; readonly target: string | null; readonly text: string }
  | { readonly kind: 'modifier'; readonly name: string; readonly value: string; readonly text: string };

export interface SpfRecord {
  readonly terms: readonly SpfTerm[];
  /** Syntax errors: receivers return permerror for the whole record (RFC 7208 §4.6). */
  readonly errors: readonly string[];
}

/** Mechanisms of RFC 7208 §5; which of them take a domain-spec. */
const MECHANISMS: Readonly<Record<string, 'none' | 'optional' | 'required' | 'ip'>> = {
  all: 'none',
  include: 'required',
  a: 'optional',
  mx: 'optional',
  ptr: 'optional',
  ip4: 'ip',
  ip6: 'ip',
  exists: 'required',
};

/** Terms that cost a DNS lookup against the limit of 10 (RFC 7208 §4.6.4). */
export const LOOKUP_TERMS = new Set(['include', 'a', 'mx', 'ptr', 'exists', 'redirect']);

export const isSpfRecord = (txt: string): boolean => /^v=spf1(\s|$)/i.test(txt.trim());

export function parseSpfRecord(text: string): SpfRecord {
  const words = text.trim().split(/\s+/).slice(1);
  const terms: SpfTerm[] = [];
  const errors: string[] = [];
  const modifiers = new Set<string>();
  for (const word of words) {
    const modifier = /^([a-z][a-z0-9_.-]*)=(.*)$/i.exec(word);
    if (modifier?.[1] !== undefined) {
      const name = modifier[1].toLowerCase();
      // RFC 7208 §6: redirect and exp may each appear once.
      if ((name === 'redirect' || name === 'exp') && modifiers.has(name)) errors.push(`${name}= appears twice`);
      modifiers.add(name);
      if ((name === 'redirect' || name === 'exp') && (modifier[2] ?? '') === '') errors.push(`${name}= has no domain`);
      terms.push({ kind: 'modifier', name, value: modifier[2] ?? '', text: word });
      continue;
    }
    const m = /^([+\-~?]?)([a-z][a-z0-9]*)(?:([:/])(.*))?$/i.exec(word);
    const name = m?.[2]?.toLowerCase();
    const shape = name === undefined ? undefined : MECHANISMS[name];
    if (m === null || name === undefined || shape === undefined) {
      errors.push(`unknown term "${word}"`);
      continue;
    }
    const qualifier = (m[1] === '' ? '+' : m[1]) as SpfQualifier;
    const target = m[3] === ':' ? (m[4] ?? '').replace(/\/.*$/, '') : null;
    if ((shape === 'required' || shape === 'ip') && (target === null || target === '')) errors.push(`${word}: ${name} needs a value`);
    if (shape === 'none' && m[3] !== undefined) errors.push(`${word}: all takes no value`);
    if (shape === 'ip' && target !== null && !validIp(name, m[4] ?? '')) errors.push(`${word}: not an ${name === 'ip4' ? 'IPv4' : 'IPv6'} address or range`);
    terms.push({ kind: 'mechanism', qualifier, name, target: target === '' ? null : target, text: word });
  }
  return { terms, errors };
}

function validIp(kind: string, value: string): boolean {
  const [addr = '', prefix, extra] = value.split('/');
  if (extra !== undefined) return false;
  const max = kind === 'ip4' ? 32 : 128;
  if (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= max)) return false;
  return kind === 'ip4' ? /^(\d{1,3})(\.\d{1,3}){3}$/.test(addr) && addr.split('.').every((o) => Number(o) <= 255) : addr.includes(':') && /^[0-9a-f:.]+$/i.test(addr);
}

/** The `redirect=` modifier (RFC 7208 §6.1), or undefined when the record has none. */
export const redirectOf = (record: SpfRecord): SpfTerm | undefined => record.terms.find((t) => t.kind === 'modifier' && t.name === 'redirect');

/** The qualifier of the final `all`, or null when the record has none. */
export function allQualifier(record: SpfRecord): SpfQualifier | null {
  const all = record.terms.find((t) => t.kind === 'mechanism' && t.name === 'all');
  return all?.kind === 'mechanism' ? all.qualifier : null;
}
