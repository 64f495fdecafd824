/**
 * Read side for `ruaflow summary`. All of it is plain reads; the per-source sums are made in one
 * pass by src/analyze/summary/aggregate.ts over `reportRecords`, which streams each report
 * overlapping the window with its records as compact arrays of numbers (a million records in
 * well under a second; bench `--only=summary`), and `sourceIps` names the sources afterwards.
 *
 * Disposition: `quarantine` and `reject` as reported; everything else (`none`, RFC 9990's
 * `pass`, unknown words) counts as `none` — no action was applied.
 */
import type { Database } from 'better-sqlite3';
import { EFFECTIVE_END_SQL } from '../report/date-range.js';
import { FLAG, type PolicySeen, type ReportRecords, type ReportSpan, type StoredClassRow } from './summary-rows.js';

const END = EFFECTIVE_END_SQL('r.begin_ts', 'r.end_ts');
/** Domains as a JSON array, or null for all. */
const DOMAIN_FILTER = `(@domains IS NULL OR r.policy_domain IN (SELECT value FROM json_each(@domains)))`;
const OVERLAPS = (from: string, to: string): string => `(r.begin_ts < ${to} AND ${END} >= ${from})`;
/** The FLAG bits of a record. The same expression is a column of the index records_summary
 * (schema/sql/007_summary_index_null_alignment.sql), so reading a report's records never touches
 * the table; a test checks the query plan says COVERING INDEX. `IS`, not `=`: a record without
 * policy_evaluated has NULL alignment, and one NULL term would make the whole kind NULL. */
export const FLAGS = `((dkim_aligned IS 'pass') * ${FLAG.dkim} + (spf_aligned IS 'pass') * ${FLAG.spf}
  + (CASE disposition WHEN 'quarantine' THEN ${FLAG.quarantine} WHEN 'reject' THEN ${FLAG.reject} ELSE 0 END))`;

/** One report's records as aggregate.ts reads them: [source id * 16 + FLAG bits, count] (two
 * values per row rather than three: a tenth less time reading a million of them). */
export const RECORDS_OF_REPORT = `SELECT source_id * 16 + ${FLAGS}, count FROM records WHERE report_id = ?`;

interface Params {
  /** A JSON array of domain names, or null for all. */
  domains: string | null;
  from: number;
  to: number;
}

export class SummaryQueries {
  constructor(private readonly db: Database) {}

  /** Every report of the given policy domains (null: all) overlapping [from, to), with its
   * records as [source id * 16 + FLAG bits, count]. Read lazily, one report at a time, grouped by
   * domain (aggregate.ts keeps one domain's sources at hand at a time). */
  *reportRecords(domains: readonly string[] | null, from: number, to: number): Generator<ReportRecords> {
    const reports = this.db
      .prepare<[Params], [id: number, domain: string, begin: number, end: number]>(
        `SELECT r.id, r.policy_domain, r.begin_ts, ${END} FROM reports r
          WHERE ${DOMAIN_FILTER} AND ${OVERLAPS('@from', '@to')} ORDER BY r.policy_domain, r.id`,
      )
      .raw()
      .all({ domains: domains === null ? null : JSON.stringify(domains), from, to });
    // `.raw().all()` per report: arrays rather than objects, and no iterator per row.
    const records = this.db
      .prepare<[number], [number, number]>(RECORDS_OF_REPORT)
      .raw();
    for (const [id, domain, begin, end] of reports) yield { domain, begin, end, records: records.all(id) };
  }

  /** The addresses of these source ids (source_ips). */
  sourceIps(ids: readonly number[]): Map<number, string> {
    const rows = this.db
      .prepare<[string], [number, string]>('SELECT id, ip FROM source_ips WHERE id IN (SELECT value FROM json_each(?))')
      .raw()
      .all(JSON.stringify(ids));
    return new Map(rows);
  }

  /** Reports of the given policy domains (null: all) overlapping [from, to): who reported, when,
   * how many messages. By domain, so that, read for all, they also say which domains were
   * reported (src/jobs/summarize.ts). */
  reports(domains: readonly string[] | null, from: number, to: number): ReportSpan[] {
    return this.db
      .prepare<[Params], ReportSpan>(
        `SELECT r.policy_domain AS domain, r.org_name AS reporter, r.begin_ts AS begin, ${END} AS end,
                r.message_count AS messages
           FROM reports r
          WHERE ${DOMAIN_FILTER} AND ${OVERLAPS('@from', '@to')}
          ORDER BY r.policy_domain, r.begin_ts, r.id`,
      )
      .all({ domains: domains === null ? null : JSON.stringify(domains), from, to });
  }

  /** The policy reporters saw (`policy_published`), per domain, for reports overlapping [from, to). */
  policiesSeen(domains: readonly string[] | null, from: number, to: number): (PolicySeen & { domain: string })[] {
    return this.db
      .prepare<[Params], PolicySeen & { domain: string }>(
        `SELECT r.policy_domain AS domain, r.p AS p, r.sp AS sp, r.np AS np, r.pct AS pct, r.testing AS testing,
                COUNT(*) AS reports, SUM(r.message_count) AS messages
           FROM reports r
          WHERE ${DOMAIN_FILTER} AND ${OVERLAPS('@from', '@to')}
          GROUP BY 1, 2, 3, 4, 5, 6
          ORDER BY 1, reports DESC, messages DESC`,
      )
      .all({ domains: domains === null ? null : JSON.stringify(domains), from, to });
  }

  /** The earliest begin and the latest (effective, inclusive) end of the stored reports of the
   * given policy domains (null: all); nulls when there are none. */
  storedSpan(domains: readonly string[] | null): { begin: number | null; end: number | null } {
    return this.db
      .prepare<[{ domains: string | null }], { begin: number | null; end: number | null }>(
        `SELECT MIN(r.begin_ts) AS begin, MAX(${END}) AS end FROM reports r WHERE ${DOMAIN_FILTER}`,
      )
      .get({ domains: domains === null ? null : JSON.stringify(domains) })!;
  }

  /** The stored class of each source of these policy domains (record_classes), with its
   * messages, for reports overlapping [from, to). */
  sourceClasses(domains: readonly string[] | null, from: number, to: number): StoredClassRow[] {
    return this.db
      .prepare<[Params], StoredClassRow>(
        `SELECT r.policy_domain AS domain, d.source_ip AS ip, c.class AS class, c.fix AS fix, SUM(d.count) AS messages
           FROM reports r
           JOIN records d ON d.report_id = r.id
           JOIN record_classes c ON c.record_id = d.id
          WHERE ${DOMAIN_FILTER} AND ${OVERLAPS('@from', '@to')}
          GROUP BY 1, 2, 3, 4`,
      )
      .all({ domains: domains === null ? null : JSON.stringify(domains), from, to });
  }
}
