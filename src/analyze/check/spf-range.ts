/**
 * spf.relay and spf.service for one configured address or range: does our SPF record
 * authorise every address in it? Decided for the whole range from the record's ip4:/ip6:
 * terms where possible (spf-coverage.ts); otherwise mailauth evaluates sample addresses —
 * the first, the middle and the last — and the detail says the range was sampled.
 */
import { spf } from 'mailauth/lib/spf/index.js';
import { firstAddress, formatCidr, isSingle, lastAddress, merge, middleAddress, parseCidr, type Cidr } from './cidr.js';
import type { CheckContext } from './context.js';
import { spfIpTerm, spfWithTerm, zoneTxt } from './records.js';
import { spfCoverage, type SpfCoverage, type SpfPiece } from './spf-coverage.js';
import { SPF_LOOKUP_LIMIT, type SpfWalk } from './spf-walk.js';
import { fail, pass, type CheckResult } from './types.js';

/** A fix names at most this many missing blocks; beyond it, adding the whole range is clearer. */
const MAX_FIX_TERMS = 3;

export interface RangeSubject {
  /** `spf.relay` or `spf.service`. */
  readonly check: string;
  /** `relay 192.0.2.0/24`, `service newsletter 198.51.100.0/24`. */
  readonly label: string;
  /** As configured: an address or a CIDR range. */
  readonly range: string;
}

/** Our record: the domain, its text (to build fixes from) and the walk over it. */
export interface SpfPublished {
  readonly domain: string;
  readonly text: string;
  readonly walk: SpfWalk;
}

export async function rangeCheck(subject: RangeSubject, published: SpfPublished, ctx: CheckContext): Promise<CheckResult> {
  const range = parseCidr(subject.range);
  // The configuration schema only lets addresses and CIDR ranges through.
  if (range === null) return fail(subject.check, `${subject.label}: not an IP address or CIDR range`, 'correct it in the configuration');
  // mailauth stops at the 11th lookup wherever it falls (RFC 7208 §4.6.4); only it can say
  // which addresses get that far.
  const coverage: SpfCoverage =
    published.walk.lookups > SPF_LOOKUP_LIMIT ? { kind: 'undecided', reason: `the record needs more than ${SPF_LOOKUP_LIMIT} DNS lookups` } : spfCoverage(published.walk.root, range);
  if (coverage.kind === 'decided') return judge(subject, range, coverage.pieces, published);
  return sample(subject, range, coverage.reason, published, ctx);
}

/** Status and fix from the decided pieces: pass only when every address passes. */
function judge(subject: RangeSubject, range: Cidr, pieces: readonly SpfPiece[], published: SpfPublished): CheckResult {
  const passing = pieces.filter((p) => p.outcome === 'pass');
  const failing = pieces.filter((p) => p.outcome !== 'pass');
  const { check, label } = subject;
  if (failing.length === 0) return pass(check, `${label}: pass${isSingle(range) ? '' : ' for the whole range'} (${terms(passing)})`);
  const groups = describe(failing);
  const fix = fixFor(range, failing, published);
  if (passing.length === 0) {
    const only = failing.every((p) => p.outcome === failing[0]?.outcome && p.by === failing[0]?.by) ? failing[0] : undefined;
    if (only !== undefined) return fail(check, `${label}: ${only.outcome}${isSingle(range) ? '' : ' for the whole range'} (${decidedBy(only)})`, fix);
    return fail(check, `${label}: no address of the range passes: ${groups}`, fix);
  }
  const passed = merge(passing.map((p) => p.block)).map((b) => formatCidr(b)).join(', ');
  return fail(check, `${label}: only partly authorised: ${groups}; only ${passed} passes (${terms(passing)})`, fix);
}

/** `192.0.2.128/25: fail (-all)`, one entry per outcome and deciding term. */
function describe(pieces: readonly SpfPiece[]): string {
  const groups = new Map<string, SpfPiece[]>();
  for (const p of pieces) {
    const key = `${p.outcome} (${decidedBy(p)})`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return [...groups].map(([why, ps]) => `${merge(ps.map((p) => p.block)).map((b) => formatCidr(b)).join(', ')}: ${why}`).join('; ');
}

const decidedBy = (p: SpfPiece): string => p.by ?? 'no term matches';

const terms = (pieces: readonly SpfPiece[]): string => [...new Set(pieces.map(decidedBy))].join(', ');

/** The terms to add before the record's `all` / `redirect=` for the blocks decided there; an
 * earlier term that refuses part of the range (`-ip4:…`) must go first, or nothing added
 * after it is ever reached (RFC 7208 §4.6.2). */
function fixFor(range: Cidr, failing: readonly SpfPiece[], published: SpfPublished): string {
  const lines: string[] = [];
  const blockers = [...new Set(failing.filter((p) => !p.atEnd).map(decidedBy))];
  if (blockers.length > 0) lines.push(`remove or narrow ${blockers.join(', ')}: it is matched before anything later in the record can authorise ${formatCidr(range)}`);
  const missing = merge(failing.filter((p) => p.atEnd).map((p) => p.block));
  if (missing.length > 0) {
    const add = (missing.length > MAX_FIX_TERMS ? [range] : missing).map((b) => spfIpTerm(formatCidr(b))).join(' ');
    lines.push(`add ${add}:\n${zoneTxt({ name: published.domain, value: spfWithTerm(published.text, add) })}`);
  }
  return lines.join('\n');
}

/** mailauth on the first, middle and last address (one address: that address, exactly). */
async function sample(subject: RangeSubject, range: Cidr, reason: string, published: SpfPublished, ctx: CheckContext): Promise<CheckResult> {
  const { check, label } = subject;
  const probes = [...new Set([firstAddress(range), middleAddress(range), lastAddress(range)].map((a) => formatCidr({ network: a, bits: a.kind() === 'ipv4' ? 32 : 128 })))];
  const note = isSingle(range) ? '' : ` (sampled ${probes.join(', ')} with mailauth: ${reason}, so the range cannot be judged as a whole)`;
  const results: { ip: string; outcome: string; comment: string }[] = [];
  for (const ip of probes) {
    try {
      const result = await spf({ sender: `postmaster@${published.domain}`, ip, helo: published.domain, mta: 'ruaflow-check', resolver: ctx.resolver as never });
      results.push({ ip, outcome: result.status.result, comment: typeof result.status.comment === 'string' ? result.status.comment : '' });
    } catch (error) {
      // mailauth reports protocol outcomes as results; anything thrown is still a check result here.
      return fail(check, `${label}: SPF could not be evaluated: ${(error as Error).message}`, 'run ruaflow check again; report this if it persists');
    }
  }
  if (results.some((r) => r.outcome === 'temperror')) return fail(check, `${label}: DNS temperror while evaluating SPF${note}; retry`, 'check the DNS servers and run ruaflow check again');
  if (results.every((r) => r.outcome === 'pass')) return pass(check, `${label}: pass${note}`);
  const permerror = results.find((r) => r.outcome === 'permerror');
  if (permerror !== undefined) return fail(check, `${label}: permerror${note}${permerror.comment === '' ? '' : ` (${permerror.comment})`}`, 'fix the SPF record (see spf.record and spf.lookups)');
  const first = results[0];
  const same = first !== undefined && results.every((r) => r.outcome === first.outcome);
  const outcome = same ? `${first.outcome}${isSingle(range) && first.comment !== '' ? ` (${first.comment})` : ''}` : `not every address passes: ${results.map((r) => `${r.ip} ${r.outcome}`).join(', ')}`;
  const add = spfIpTerm(formatCidr(range));
  return fail(check, `${label}: ${outcome}${note}`, `add ${add}:\n${zoneTxt({ name: published.domain, value: spfWithTerm(published.text, add) })}`);
}
