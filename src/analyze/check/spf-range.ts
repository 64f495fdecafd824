/**
 * spf.relay and spf.service for one configured address or range: does our SPF record
 * authorise every address in it? Decided for whole blocks from the record's ip4:/ip6: terms
 * where possible (spf-coverage.ts); the blocks that reach a term depending on each address are
 * sampled with mailauth — the first, a middle and the last address — and the detail says so.
 * The wording of the result is spf-range-report.ts.
 */
import { spf } from 'mailauth/lib/spf/index.js';
import { firstAddress, formatCidr, isSingle, lastAddress, merge, middleAddress, parseCidr, type Address, type Cidr } from '../cidr.js';
import type { CheckContext } from './context.js';
import { spfCoverage, type SpfCoverage } from './spf-coverage.js';
import { rangeReport, type SpfPublished, type SpfSample } from './spf-range-report.js';
import { SPF_LOOKUP_LIMIT } from './spf-walk.js';
import { fail, type CheckResult } from './types.js';

export interface RangeSubject {
  /** `spf.relay` or `spf.service`. */
  readonly check: string;
  /** `relay 192.0.2.0/24`, `service newsletter 198.51.100.0/24`. */
  readonly label: string;
  /** As configured: an address or a CIDR range. */
  readonly range: string;
}

export async function rangeCheck(subject: RangeSubject, published: SpfPublished, ctx: CheckContext): Promise<CheckResult> {
  const range = parseCidr(subject.range);
  // The configuration schema only lets addresses and CIDR ranges through.
  if (range === null) return fail(subject.check, `${subject.label}: not an IP address or CIDR range`, 'correct it in the configuration');
  // mailauth stops at the 11th lookup wherever it falls (RFC 7208 §4.6.4); only it can say
  // which addresses get that far.
  const coverage: SpfCoverage =
    published.walk.lookups > SPF_LOOKUP_LIMIT
      ? { pieces: [], undecided: [{ block: range, reason: `the record needs more than ${SPF_LOOKUP_LIMIT} DNS lookups` }] }
      : spfCoverage(published.walk.root, range);
  const blocks = merge(coverage.undecided.map((u) => u.block));
  const samples: SpfSample[] = [];
  for (const ip of probes(range, blocks)) {
    try {
      const result = await spf({ sender: `postmaster@${published.domain}`, ip, helo: published.domain, mta: 'ruaflow-check', resolver: ctx.resolver as never });
      samples.push({ ip, outcome: result.status.result, comment: typeof result.status.comment === 'string' ? result.status.comment : '' });
    } catch (error) {
      // mailauth reports protocol outcomes as results; anything thrown is still a check result here.
      return fail(subject.check, `${subject.label}: SPF could not be evaluated: ${(error as Error).message}`, 'run ruaflow check again; report this if it persists');
    }
  }
  return rangeReport({ ...subject, block: range }, coverage, samples, published);
}

/** The addresses mailauth evaluates for the undecided blocks: the first, one in the middle of
 * the largest block and the last; a single address is evaluated exactly. */
function probes(range: Cidr, undecided: readonly Cidr[]): string[] {
  const first = undecided[0];
  const last = undecided.at(-1);
  if (first === undefined || last === undefined) return [];
  if (isSingle(range)) return [text(range.network)];
  const largest = undecided.reduce((a, b) => (b.bits < a.bits ? b : a));
  return [...new Set([firstAddress(first), middleAddress(largest), lastAddress(last)].map(text))];
}

const text = (a: Address): string => formatCidr({ network: a, bits: a.kind() === 'ipv4' ? 32 : 128 });
