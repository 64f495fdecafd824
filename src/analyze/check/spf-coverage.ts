/**
 * What an SPF record says about every address of a range at once, from the record's own ip4:
 * and ip6: mechanisms and those reached through include: and redirect= (the tree of
 * spf-walk.ts). Pure. The range is cut into blocks, each with the result a receiver would give
 * any address in it, following RFC 7208 §4.6.2: terms are tried left to right and the first
 * that matches decides.
 *
 * This is deliberately not a second SPF engine: the blocks that reach a term whose answer
 * depends on the single address or on DNS answers we do not hold (a, mx, ptr, exists, macros,
 * an include that could not be followed, a record with a syntax error) stay `undecided`, and
 * the caller asks mailauth about sample addresses in them instead.
 */
import ipaddr from 'ipaddr.js';
import { block, split, type Cidr } from '../cidr.js';
import { redirectOf, type SpfQualifier, type SpfTerm } from './spf-record.js';
import type { SpfNode } from './spf-walk.js';

/** The results a decided block can have; errors are always left to mailauth. */
export type SpfOutcome = 'pass' | 'fail' | 'softfail' | 'neutral';

export interface SpfPiece {
  readonly block: Cidr;
  readonly outcome: SpfOutcome;
  /** The term of the record that decided it (`ip4:192.0.2.0/25`, `include:_spf.example.net`,
   * `-all`, `redirect=…`), or null when nothing matched (neutral, RFC 7208 §4.7). */
  readonly by: string | null;
  /** Decided by how the record ends — its `all`, its `redirect=`, or nothing matching — so a
   * term added before them changes it. False when an earlier term decided it (`-ip4:…`). */
  readonly atEnd: boolean;
}

/** Blocks no term could decide, and why: they reached a term that depends on each address. */
export interface SpfUndecided {
  readonly block: Cidr;
  /** `mx in example.com depends on each address`. */
  readonly reason: string;
}

/** Every address of the range is in exactly one piece or one undecided block. */
export interface SpfCoverage {
  readonly pieces: readonly SpfPiece[];
  readonly undecided: readonly SpfUndecided[];
}

/** RFC 7208 §4.6.2. */
const OUTCOME: Readonly<Record<SpfQualifier, SpfOutcome>> = { '+': 'pass', '-': 'fail', '~': 'softfail', '?': 'neutral' };

export function spfCoverage(root: SpfNode, range: Cidr): SpfCoverage {
  return evaluate(root, [range]);
}

/** What `node` makes of the blocks in `pending`. Terms are tried in order on the blocks still
 * undecided; a term that cannot be judged per block stops the blocks that reach it. */
function evaluate(node: SpfNode, pending: readonly Cidr[]): { pieces: SpfPiece[]; undecided: SpfUndecided[] } {
  const pieces: SpfPiece[] = [];
  const undecided: SpfUndecided[] = [];
  const stop = (blocks: readonly Cidr[], reason: string) => ({ pieces, undecided: [...undecided, ...blocks.map((block) => ({ block, reason }))] });
  // RFC 7208 §4.6: a syntax error anywhere makes the record a permerror; mailauth says how.
  if (node.record.errors.length > 0) return stop(pending, `${node.domain} has a syntax error`);
  let rest = [...pending];
  for (const term of node.record.terms) {
    if (rest.length === 0) return { pieces, undecided };
    if (term.kind === 'modifier') continue;
    const outcome = OUTCOME[term.qualifier];
    let matched: Cidr[];
    if (term.name === 'all') {
      matched = rest;
      rest = [];
    } else if (term.name === 'ip4' || term.name === 'ip6') {
      const cut = ipTermBlock(term);
      if (cut === null) return stop(rest, `${term.text} in ${node.domain} is not a plain address or range`);
      const parts = rest.map((b) => split(b, cut));
      matched = parts.flatMap((p) => p.inside);
      rest = parts.flatMap((p) => p.outside);
    } else if (term.name === 'include') {
      const target = node.targets.get(term);
      if (target === undefined) return stop(rest, `${term.text} in ${node.domain} could not be followed`);
      const sub = evaluate(target, rest);
      // RFC 7208 §5.2: include matches where the included record gives pass; its fail,
      // softfail and neutral only mean "no match here", and evaluation goes on.
      matched = sub.pieces.filter((p) => p.outcome === 'pass').map((p) => p.block);
      rest = sub.pieces.filter((p) => p.outcome !== 'pass').map((p) => p.block);
      undecided.push(...sub.undecided);
    } else {
      // a, mx, ptr, exists (RFC 7208 §5.3–5.7): they match single addresses found in DNS.
      return stop(rest, `${term.text} in ${node.domain} depends on each address`);
    }
    const atEnd = term.name === 'all';
    for (const b of matched) pieces.push({ block: b, outcome, by: term.text, atEnd });
  }
  if (rest.length === 0) return { pieces, undecided };
  // RFC 7208 §6.1: redirect= applies only when no mechanism matched (and never beside an all,
  // which always matches, so `rest` is empty then).
  const redirect = redirectOf(node.record);
  if (redirect === undefined) {
    // RFC 7208 §4.7: no match and no redirect is neutral.
    for (const b of rest) pieces.push({ block: b, outcome: 'neutral', by: null, atEnd: true });
    return { pieces, undecided };
  }
  const target = node.targets.get(redirect);
  if (target === undefined) return stop(rest, `${redirect.text} in ${node.domain} could not be followed`);
  const sub = evaluate(target, rest);
  for (const p of sub.pieces) pieces.push({ block: p.block, outcome: p.outcome, by: `${redirect.text}: ${p.by ?? 'no match'}`, atEnd: true });
  return { pieces, undecided: [...undecided, ...sub.undecided] };
}

/** The block of an `ip4:` / `ip6:` term (RFC 7208 §5.6), or null for anything but the plain
 * forms, which mailauth then judges: leading zeros (`010.0.2.1`, `/024`), an IPv4 address in an
 * ip6: term, zone indexes. */
export function ipTermBlock(term: SpfTerm): Cidr | null {
  const value = term.text.slice(term.text.indexOf(':') + 1);
  const m = /^([^/]+)(?:\/(0|[1-9]\d{0,2}))?$/.exec(value);
  if (m?.[1] === undefined) return null;
  const address = m[1];
  if (term.name === 'ip4') {
    if (!/^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/.test(address) || !ipaddr.IPv4.isValidFourPartDecimal(address)) return null;
    const bits = m[2] === undefined ? 32 : Number(m[2]);
    return bits > 32 ? null : block(ipaddr.IPv4.parse(address), bits);
  }
  if (!/^[0-9a-f:.]+$/i.test(address) || !address.includes(':') || !ipaddr.IPv6.isValid(address)) return null;
  const bits = m[2] === undefined ? 128 : Number(m[2]);
  // An ip6: network is never turned into IPv4 (mailauth only matches IPv6 clients to it).
  return bits > 128 ? null : block(ipaddr.IPv6.parse(address), bits);
}
