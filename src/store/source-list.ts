/** Read side of `ruaflow sources`: a domain's classified records, grouped by source. */
import type { Database } from 'better-sqlite3';
import type { SourceClass } from './source-classes.js';
import type { Period } from '../report/period.js';
import { EFFECTIVE_END_SQL } from '../report/date-range.js';

export interface SourceRow {
  readonly ip: string;
  /** The forward-confirmed PTR name stored with the class, if any. */
  readonly name: string | null;
  readonly class: SourceClass;
  readonly cause: string | null;
  readonly service: string | null;
  readonly reason: string;
  readonly fix: string;
  readonly messages: number;
  /** Messages that passed DMARC: aligned DKIM or aligned SPF pass (RFC 7489 §4.2). */
  readonly dmarcPass: number;
  readonly dmarcFail: number;
  /** Distinct reporting organisations. */
  readonly reporters: number;
  /** Earliest report begin and latest report end, epoch seconds. */
  readonly firstSeen: number;
  readonly lastSeen: number;
}

export interface DomainSources {
  readonly domain: string;
  /** The date range the included reports cover (null when there are none). */
  readonly begin: number | null;
  readonly end: number | null;
  readonly sources: readonly SourceRow[];
}

/** A report's end as summaries read it: an end written as the next midnight is the second before
 * (report/date-range.ts), so `sources` and `summary` count the same reports for a day. */
const END = EFFECTIVE_END_SQL('p.begin_ts', 'p.end_ts');

/**
 * One row per (source IP, class, cause, service), largest volume first. A report counts when its date
 * range intersects the period (report/period.ts `overlaps`; null: all time); its counts are not split.
 */
export function listSources(db: Database, domain: string, period: Period | null): DomainSources {
  const params = { domain, begin: period?.begin ?? null, end: period?.end ?? null };
  const where = `c.domain = @domain AND (@end IS NULL OR p.begin_ts < @end) AND (@begin IS NULL OR ${END} >= @begin)`;
  const from = `FROM record_classes c JOIN records r ON r.id = c.record_id JOIN reports p ON p.id = r.report_id`;
  // One row per source and class; the reason and fix shown are those of its largest record.
  const rows = db
    .prepare<typeof params, Record<string, unknown>>(
      `WITH x AS (
         SELECT r.source_ip AS ip, c.class, c.cause, c.service, c.reason, c.fix, c.ptr_name, r.count,
                r.dkim_aligned, r.spf_aligned, p.org_name, p.begin_ts, ${END} AS end_ts,
                ROW_NUMBER() OVER (PARTITION BY r.source_ip, c.class, IFNULL(c.cause, ''), IFNULL(c.service, '')
                                   ORDER BY r.count DESC, r.id) AS rank
           ${from} WHERE ${where})
       SELECT ip, class, cause, service,
              MAX(CASE WHEN rank = 1 THEN reason END) AS reason, MAX(CASE WHEN rank = 1 THEN fix END) AS fix,
              MAX(ptr_name) AS name, SUM(count) AS messages,
              SUM(CASE WHEN dkim_aligned = 'pass' OR spf_aligned = 'pass' THEN count ELSE 0 END) AS pass,
              COUNT(DISTINCT org_name) AS reporters, MIN(begin_ts) AS first_seen, MAX(end_ts) AS last_seen
         FROM x GROUP BY ip, class, cause, service
        ORDER BY messages DESC, ip, class`,
    )
    .all(params);
  const sources: SourceRow[] = rows.map((r) => ({
    ip: r['ip'] as string,
    name: r['name'] as string | null,
    class: r['class'] as SourceClass,
    cause: r['cause'] as string | null,
    service: r['service'] as string | null,
    reason: r['reason'] as string,
    fix: r['fix'] as string,
    messages: r['messages'] as number,
    dmarcPass: r['pass'] as number,
    dmarcFail: (r['messages'] as number) - (r['pass'] as number),
    reporters: r['reporters'] as number,
    firstSeen: r['first_seen'] as number,
    lastSeen: r['last_seen'] as number,
  }));
  // The span the rows cover: their earliest first and latest last report, read off the rows
  // rather than by scanning the same records again.
  return {
    domain,
    begin: sources.reduce<number | null>((m, r) => (m === null || r.firstSeen < m ? r.firstSeen : m), null),
    end: sources.reduce<number | null>((m, r) => (m === null || r.lastSeen > m ? r.lastSeen : m), null),
    sources,
  };
}
