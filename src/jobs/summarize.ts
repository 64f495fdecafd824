/**
 * The summarize use case: read the period's aggregates from the store, name the sources, look up
 * what we publish, and hand everything to the pure builder (src/analyze/summary/build.ts).
 *
 * What it needs from outside comes in through `SummaryPorts`: PTR names (`namesFor`), our
 * published DMARC policy (`publishedPolicy`, null offline). The correlation of each source with
 * our setup is read from the stored classes, which the caller brings up to date first
 * (src/jobs/classify-stored.ts). The composition root (src/app/deps.ts) builds them.
 */
import type { Config } from '../types/config.js';
import { aggregateWindows } from '../analyze/summary/aggregate.js';
import { buildSummary } from '../analyze/summary/build.js';
import { dailyCounter } from '../analyze/summary/daily.js';
import { DAY } from '../report/period.js';
import { SUMMARY_CHART_DAYS } from '../limits.js';
import { organisationNamer } from '../analyze/summary/organisations.js';
import { previousPeriod, spanPeriod, type Period } from '../report/period.js';
import { storedClassOf } from '../analyze/summary/stored-class.js';
import type { DnsPolicy, NamesFor, Summary } from '../analyze/summary/types.js';
import type { PolicySeen } from '../store/summary-rows.js';
import type { Database } from '../store/database.js';
import { SummaryQueries } from '../store/summary-queries.js';

/** Earlier periods looked at to decide that a reporter "usually reports" (silent reporters). */
const SILENCE_LOOKBACK = 4;

export interface SummaryPorts {
  readonly namesFor: NamesFor;
  /** The `_dmarc` record that applies to the domain (its own, or its organisational domain's),
   * as tags; null when there is none, it cannot be reached, or offline. */
  readonly publishedPolicy: (domain: string) => Promise<DnsPolicy | null>;
}

export interface SummaryRequest {
  /** null: `all`, from the first to the last stored day of the domains, with no period before. */
  readonly period: Period | null;
  /** null: every configured domain and every domain reported in the lookback window. */
  readonly domains: readonly string[] | null;
  /** Epoch seconds, for the "generated at" line. */
  readonly now: number;
}

export async function summarize(db: Database, config: Pick<Config, 'domains'>, request: SummaryRequest, ports: SummaryPorts): Promise<Summary> {
  const queries = new SummaryQueries(db);
  // The latest report of the domains asked for (all when none were named): where an empty
  // summary points (docs/summaries.md), and with the earliest one the bounds of `all`.
  const stored = queries.storedSpan(request.domains);
  const period = request.period ?? allStored(stored, request.now);
  const length = period.end - period.begin;
  // `all` has nothing before it: no previous period, no lookback for silent reporters.
  const previous = request.period === null ? null : previousPeriod(period);
  const lookback = previous === null ? 0 : SILENCE_LOOKBACK;
  const lookbackFrom = period.begin - lookback * length;

  // Who reported when, over this period and the lookback (silent reporters); without --domain,
  // read for every domain, which also says which domains were reported at all.
  const spans = queries.reports(request.domains, lookbackFrom, period.end);
  const domains = request.domains ?? allDomains(config, [...new Set(spans.map((r) => r.domain))]);
  const windows = [{ from: period.begin, to: period.end }];
  if (previous !== null) windows.push({ from: previous.begin, to: previous.end });
  // The chart's days (the period's last SUMMARY_CHART_DAYS) are counted in the same one pass.
  const daily = dailyCounter(Math.max(period.begin, period.end - SUMMARY_CHART_DAYS * DAY), period.end);
  const [current = [], previousRows = []] = aggregateWindows(
    seeing(queries.reportRecords(domains, previous?.begin ?? period.begin, period.end), (r) => daily.add(r)),
    windows,
    (ids) => queries.sourceIps(ids),
  );

  const seen = new Map<string, PolicySeen[]>();
  for (const { domain, ...policy } of queries.policiesSeen(domains, period.begin, period.end)) {
    seen.set(domain, [...(seen.get(domain) ?? []), policy]);
  }

  // Largest sources first: when the PTR budget runs out, the names that matter most are in.
  const volume = new Map<string, number>();
  for (const r of current) volume.set(r.ip, (volume.get(r.ip) ?? 0) + r.messages);
  const ips = [...volume].sort((a, b) => b[1] - a[1]).map(([ip]) => ip);
  const [names, published] = await Promise.all([
    ports.namesFor(ips),
    Promise.all(domains.map(async (d) => [d, await ports.publishedPolicy(d)] as const)),
  ]);

  const byName = new Map(config.domains.map((d) => [d.name, d]));
  const classOf = storedClassOf(queries.sourceClasses(domains, period.begin, period.end));

  return buildSummary({
    period,
    previous: previous === null ? null : { begin: previous.begin, end: previous.end },
    generatedAt: request.now,
    latestReportEnd: stored.end,
    domains,
    current,
    previousRows,
    reports: spans,
    lookback,
    seen,
    published: new Map(published.filter((e): e is readonly [string, DnsPolicy] => e[1] !== null)),
    names,
    // Asked once per domain (build.ts).
    organisationFor: (domain) => organisationNamer(byName.get(domain)?.services ?? []),
    classOf,
    days: new Map(domains.map((d) => [d, daily.totals(d)])),
  });
}

/** `items`, each shown to `see` as it passes. */
function* seeing<T>(items: Iterable<T>, see: (item: T) => void): Generator<T> {
  for (const item of items) {
    see(item);
    yield item;
  }
}

/** `all`: the whole UTC days from the first stored report to the last; today alone when nothing
 * is stored (an empty summary, which says so). */
function allStored(stored: { begin: number | null; end: number | null }, now: number): Period {
  return spanPeriod('all', stored.begin ?? now, stored.end ?? now);
}

/** Configured domains in configuration order, then the other reported ones alphabetically. */
function allDomains(config: Pick<Config, 'domains'>, reported: readonly string[]): string[] {
  const configured = config.domains.map((d) => d.name);
  return [...configured, ...reported.filter((d) => !configured.includes(d))];
}
