/**
 * The pure core of a summary: aggregated rows in, the per-domain summary out. No database, DNS
 * or clock here — the rows come from src/store/summary-queries.ts (already split into daily
 * buckets and summed per period), names and classes through injected functions.
 */
import { shareIn } from './buckets.js';
import type { Period } from '../../report/period.js';
import type { NameOrganisation } from './organisations.js';
import type {
  ClassOf,
  Counts,
  DayTotals,
  DnsPolicy,
  DomainSummary,
  OrganisationSummary,
  PublishedPolicy,
  ReporterSummary,
  SilentReporter,
  SourceRow,
  SourceSummary,
  Summary,
} from './types.js';
import type { PolicySeen, ReportSpan } from '../../store/summary-rows.js';

export interface SummaryInput {
  readonly period: Period;
  /** The period of the same length before it (for changes and new sources); null for `all`. */
  readonly previous: { readonly begin: number; readonly end: number } | null;
  readonly generatedAt: number;
  /** See Summary.latestReportEnd. */
  readonly latestReportEnd: number | null;
  /** Policy domains to summarise, in output order. */
  readonly domains: readonly string[];
  /** One row per domain and source (aggregate.ts sums each source once per period). */
  readonly current: readonly SourceRow[];
  readonly previousRows: readonly SourceRow[];
  /** Reports overlapping the current period and the `lookback` periods before it. */
  readonly reports: readonly ReportSpan[];
  /** How many earlier periods decide whether a reporter "usually reports" (docs/summaries.md). */
  readonly lookback: number;
  readonly seen: ReadonlyMap<string, readonly PolicySeen[]>;
  /** From DNS; a domain missing here falls back to the policy reporters saw most. */
  readonly published: ReadonlyMap<string, DnsPolicy>;
  readonly names: ReadonlyMap<string, string | null>;
  readonly organisationFor: (domain: string) => NameOrganisation;
  readonly classOf: ClassOf;
  /** Per-day totals by domain for the chart (daily.ts); a domain missing here has none. */
  readonly days: ReadonlyMap<string, readonly DayTotals[]>;
}

/** A reporter that sent reports in at least this many of the lookback periods "usually reports". */
export const USUALLY_REPORTS = 2;

export function buildSummary(input: SummaryInput): Summary {
  const current = groupBy(input.current, (r) => r.domain);
  const previous = groupBy(input.previousRows, (r) => r.domain);
  const reports = groupBy(input.reports, (r) => r.domain);
  return {
    period: { begin: input.period.begin, end: input.period.end, label: input.period.label },
    previous: input.previous,
    generatedAt: input.generatedAt,
    latestReportEnd: input.latestReportEnd,
    domains: input.domains.map((domain) =>
      domainSummary(domain, current.get(domain) ?? [], previous.get(domain) ?? [], reports.get(domain) ?? [], input),
    ),
  };
}

function domainSummary(
  domain: string,
  rows: readonly SourceRow[],
  previousRows: readonly SourceRow[],
  reports: readonly ReportSpan[],
  input: SummaryInput,
): DomainSummary {
  const seenBefore = new Set(previousRows.map((r) => r.ip));
  const name = input.organisationFor(domain);
  // Each row is one source already (SummaryInput.current): no grouping.
  const sources: SourceSummary[] = rows.map((r) => {
    const ip = r.ip;
    const ptr = input.names.get(ip) ?? null;
    const org = name(ip, ptr);
    // Properties written out, not spread: one object shape for every source (53,000 of them
    // in bench --only=summary), which the sort and the renderers read fast.
    const c = countsOf([r]);
    return {
      ip,
      ptr,
      organisation: org?.name ?? null,
      organisationKind: org?.kind ?? null,
      isNew: !seenBefore.has(ip),
      correlation: input.classOf(domain, ip),
      messages: c.messages,
      dmarcPass: c.dmarcPass,
      dkimPass: c.dkimPass,
      spfPass: c.spfPass,
      disposition: c.disposition,
    };
  });
  sources.sort((a, b) => b.messages - a.messages || compareText(a.ip, b.ip));

  const orgs = new Map<string, { name: string; kind: OrganisationSummary['kind']; messages: number; dmarcPass: number; sources: number }>();
  for (const s of sources) {
    const key = s.organisation ?? s.ip;
    const o = orgs.get(key) ?? { name: key, kind: s.organisationKind ?? 'ip', messages: 0, dmarcPass: 0, sources: 0 };
    o.messages += s.messages;
    o.dmarcPass += s.dmarcPass;
    o.sources += 1;
    orgs.set(key, o);
  }
  const organisations = [...orgs.values()].sort((a, b) => b.messages - a.messages || compareText(a.name, b.name));

  const failingBy = { forwarded: 0, spoof: 0, ours: 0, services: 0, unclassified: 0 };
  for (const s of sources) failingBy[readinessGroup(s.correlation?.class ?? null)] += s.messages - s.dmarcPass;
  const failingTotal = Object.values(failingBy).reduce((a, b) => a + b, 0);

  const seen = input.seen.get(domain) ?? [];
  const fromDns = input.published.get(domain);
  const mostSeen = [...seen].sort((a, b) => b.reports - a.reports || b.messages - a.messages)[0];
  const published: PublishedPolicy | null =
    fromDns !== undefined
      ? { ...fromDns, source: 'dns', policy: fromDns[fromDns.applies] }
      : mostSeen !== undefined
        ? { p: mostSeen.p, sp: mostSeen.sp, np: mostSeen.np, pct: mostSeen.pct, testing: mostSeen.testing, recordDomain: domain, via: 'domain', applies: 'p', source: 'reports', policy: mostSeen.p }
        : null;

  const totals = countsOf(rows);
  return {
    domain,
    ...totals,
    previous: input.previous === null ? null : countsOf(previousRows),
    organisations,
    sources,
    ...reportersOf(reports, input),
    published,
    seen,
    readiness: { hurt: failingTotal - failingBy.forwarded, ...failingBy, messages: totals.messages },
    days: input.days.get(domain) ?? [],
  };
}

/** Where a source's failing messages count in the readiness (src/store/source-classes.ts). */
function readinessGroup(cls: string | null): 'forwarded' | 'spoof' | 'ours' | 'services' | 'unclassified' {
  if (cls === 'forwarded' || cls === 'spoof') return cls;
  if (cls?.startsWith('ours-') === true) return 'ours';
  if (cls?.startsWith('service-') === true) return 'services';
  return 'unclassified';
}

function reportersOf(
  reports: readonly ReportSpan[],
  input: SummaryInput,
): { reporters: ReporterSummary[]; silentReporters: SilentReporter[] } {
  const { begin, end } = input.period;
  const length = end - begin;
  const now = new Map<string, { reports: number; messages: number }>();
  const earlier = new Map<string, Set<number>>();
  for (const r of reports) {
    if (r.begin < end && r.end >= begin) {
      const e = now.get(r.reporter) ?? { reports: 0, messages: 0 };
      e.reports += 1;
      e.messages += shareOf(r, begin, end);
      now.set(r.reporter, e);
    }
    for (let k = 1; k <= input.lookback; k++) {
      const from = begin - k * length;
      if (r.begin < from + length && r.end >= from) {
        const set = earlier.get(r.reporter) ?? new Set<number>();
        set.add(k);
        earlier.set(r.reporter, set);
      }
    }
  }
  const reporters = [...now].map(([name, e]) => ({ name, ...e })).sort((a, b) => b.messages - a.messages || compareText(a.name, b.name));
  const silentReporters = [...earlier]
    .filter(([name, periods]) => !now.has(name) && periods.size >= USUALLY_REPORTS)
    .map(([name, periods]) => ({ name, periodsSeen: periods.size, periodsLookedAt: input.lookback }))
    .sort((a, b) => b.periodsSeen - a.periodsSeen || compareText(a.name, b.name));
  return { reporters, silentReporters };
}

const shareOf = (r: ReportSpan, from: number, to: number): number => shareIn(r.messages, r.begin, r.end, from, to);

export function countsOf(rows: readonly SourceRow[]): Counts {
  let messages = 0;
  let dmarcPass = 0;
  let dkimPass = 0;
  let spfPass = 0;
  let quarantine = 0;
  let reject = 0;
  for (const r of rows) {
    messages += r.messages;
    dmarcPass += r.dmarcPass;
    dkimPass += r.dkimPass;
    spfPass += r.spfPass;
    quarantine += r.quarantine;
    reject += r.reject;
  }
  return { messages, dmarcPass, dkimPass, spfPass, disposition: { none: messages - quarantine - reject, quarantine, reject } };
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list === undefined) out.set(k, [item]);
    else list.push(item);
  }
  return out;
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
