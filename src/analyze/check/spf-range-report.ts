/**
 * How spf.relay / spf.service say what they found about a range: the status (pass only when
 * every address passes — a relay or service that fails SPF for part of its addresses loses
 * that part's mail), which blocks get which result and why, and the fix. Pure.
 */
import { formatCidr, isSingle, merge, type Cidr } from '../cidr.js';
import { spfIpTerm, spfWithTerm, zoneTxt } from './records.js';
import type { SpfCoverage, SpfPiece } from './spf-coverage.js';
import type { SpfWalk } from './spf-walk.js';
import { fail, pass, type CheckResult } from './types.js';

/** A fix names at most this many missing blocks; beyond that, adding the whole range is clearer. */
const MAX_FIX_TERMS = 3;

/** Our record: the domain, its text (fixes are built from it) and the walk over it. */
export interface SpfPublished {
  readonly domain: string;
  readonly text: string;
  readonly walk: SpfWalk;
}

/** One address of an undecided block as mailauth evaluated it. */
export interface SpfSample {
  readonly ip: string;
  /** mailauth's result: pass, fail, softfail, neutral, none, permerror, temperror. */
  readonly outcome: string;
  readonly comment: string;
}

export interface RangeUnderCheck {
  readonly check: string;
  readonly label: string;
  readonly block: Cidr;
}

export function rangeReport(subject: RangeUnderCheck, coverage: SpfCoverage, samples: readonly SpfSample[], published: SpfPublished): CheckResult {
  const { check, label, block: range } = subject;
  const single = isSingle(range);
  const sampled = merge(coverage.undecided.map((u) => u.block));
  const whole = coverage.pieces.length === 0;
  const reasons = [...new Set(coverage.undecided.map((u) => u.reason))].join('; ');
  const note = `sampled with mailauth: ${reasons}${whole ? ', so the range cannot be judged as a whole' : ''}`;
  const noted = single ? '' : ` (${note})`;

  const temp = samples.find((s) => s.outcome === 'temperror');
  if (temp !== undefined) return fail(check, `${label}: DNS temperror while evaluating SPF${noted}; retry`, 'check the DNS servers and run ruaflow check again');
  const perm = samples.find((s) => s.outcome === 'permerror');
  if (perm !== undefined) return fail(check, `${label}: permerror${comment(perm)}${noted}`, 'fix the SPF record (see spf.record and spf.lookups)');

  const passing = coverage.pieces.filter((p) => p.outcome === 'pass');
  const failing = coverage.pieces.filter((p) => p.outcome !== 'pass');
  const samplesPass = samples.every((s) => s.outcome === 'pass');
  const detail = `${label}: ${describe(range, coverage, passing, failing, samples, note)}`;
  if (failing.length === 0 && samplesPass) return pass(check, detail);
  return fail(check, detail, fixFor(range, failing, samplesPass ? [] : sampled, published));
}

function describe(range: Cidr, coverage: SpfCoverage, passing: readonly SpfPiece[], failing: readonly SpfPiece[], samples: readonly SpfSample[], note: string): string {
  const whole = isSingle(range) ? '' : ' for the whole range';
  if (coverage.undecided.length === 0) {
    if (failing.length === 0) return `pass${whole} (${terms(passing)})`;
    const groups = grouped(failing);
    if (passing.length === 0 && groups.length === 1) return `${groups[0]?.outcome ?? ''}${whole} (${groups[0]?.by ?? ''})`;
  }
  if (coverage.pieces.length === 0) {
    // Nothing decided: the samples are the whole answer; one address is exact.
    const first = samples[0];
    if (isSingle(range) && first !== undefined) return `${first.outcome}${first.outcome === 'pass' ? '' : comment(first)}`;
    const mixed = new Set(samples.map((s) => s.outcome)).size > 1;
    return `${mixed ? 'only partly authorised: ' : ''}${sampleResults(samples)} (${note})`;
  }
  const clauses = [
    ...grouped(failing).map((g) => `${blocks(g.pieces)} ${g.outcome} (${g.by})`),
    ...(coverage.undecided.length === 0 ? [] : [`${formatAll(merge(coverage.undecided.map((u) => u.block)))} ${sampleResults(samples)} (${note})`]),
    ...(passing.length === 0 ? [] : [`${blocks(passing)} pass (${terms(passing)})`]),
  ];
  const allPass = failing.length === 0 && samples.every((s) => s.outcome === 'pass');
  const anyPass = passing.length > 0 || samples.some((s) => s.outcome === 'pass');
  return `${allPass ? 'pass' : anyPass ? 'only partly authorised' : 'not authorised'}: ${clauses.join('; ')}`;
}

/** Failing pieces by result and the term that decided it, in address order. */
function grouped(pieces: readonly SpfPiece[]): { outcome: string; by: string; pieces: SpfPiece[] }[] {
  const groups = new Map<string, { outcome: string; by: string; pieces: SpfPiece[] }>();
  for (const p of pieces) {
    const by = decidedBy(p);
    const key = `${p.outcome} ${by}`;
    const group = groups.get(key) ?? { outcome: p.outcome, by, pieces: [] };
    group.pieces.push(p);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** `pass at 192.0.2.0, fail at 192.0.2.128, 192.0.2.255`. */
function sampleResults(samples: readonly SpfSample[]): string {
  const byOutcome = new Map<string, string[]>();
  for (const s of samples) byOutcome.set(s.outcome, [...(byOutcome.get(s.outcome) ?? []), s.ip]);
  return [...byOutcome].map(([outcome, ips]) => `${outcome} at ${ips.join(', ')}`).join(', ');
}

/** The terms to add before the record's `all` / `redirect=` for the blocks decided there and
 * the sampled blocks that did not pass; an earlier term that refuses part of the range
 * (`-ip4:…`) must go first, or nothing added after it is ever reached (RFC 7208 §4.6.2). */
function fixFor(range: Cidr, failing: readonly SpfPiece[], sampledFailing: readonly Cidr[], published: SpfPublished): string {
  const lines = grouped(failing.filter((p) => !p.atEnd)).map((g) => `remove or narrow ${g.by}: it refuses ${blocks(g.pieces)} before a later term can authorise ${g.pieces.length > 1 ? 'them' : 'it'}`);
  const missing = merge([...failing.filter((p) => p.atEnd).map((p) => p.block), ...sampledFailing]);
  if (missing.length > 0) {
    const add = (missing.length > MAX_FIX_TERMS ? [range] : missing).map((b) => spfIpTerm(formatCidr(b))).join(' ');
    lines.push(`add ${add}:\n${zoneTxt({ name: published.domain, value: spfWithTerm(published.text, add) })}`);
  }
  return lines.join('\n');
}

const decidedBy = (p: SpfPiece): string => p.by ?? 'no term matches';
const terms = (pieces: readonly SpfPiece[]): string => [...new Set(pieces.map(decidedBy))].join(', ');
const formatAll = (list: readonly Cidr[]): string => list.map((b) => formatCidr(b)).join(', ');
const blocks = (pieces: readonly SpfPiece[]): string => formatAll(merge(pieces.map((p) => p.block)));
const comment = (s: SpfSample): string => (s.comment === '' ? '' : ` (${s.comment})`);
