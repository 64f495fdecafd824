/**
 * Read side for `ruaflow summary`: the aggregation runs in SQLite so that a summary over a
 * million stored records stays fast (bench: `--only=summary`). Reports wholly inside the period
 * are summed by the database; the few that straddle a period edge come back per report so that
 * src/analyze/summary/buckets.ts can split them into daily buckets.
 *
 * Disposition: `quarantine` and `reject` as reported; everything else (`none`, RFC 9990's
 * `pass`, unknown words) counts as `none` — no action was applied.
 */
import type { Database } from 'better-sqlite3';
import { EFFECTIVE_END_SQL } from '../analyze/summary/buckets.js';
import type { Disposition, PolicySeen, ReportSpan, SourceRow } from '../analyze/summary/types.js';

const END = EFFECTIVE_END_SQL('r.begin_ts', 'r.end_ts');
/** Domains as a JSON array, or null for all. */
const DOMAIN_FILTER = `(@domains IS NULL OR r.policy_domain IN (SELECT value FROM json_each(@domains)))`;
const GROUP_COLUMNS = `r.policy_domain AS domain, c.source_ip AS ip,
       CASE c.disposition WHEN 'quarantine' THEN 'quarantine' WHEN 'reject' THEN 'reject' ELSE 'none' END AS disposition,
       c.dkim_aligned = 'pass' AS dkim, c.spf_aligned = 'pass' AS spf, SUM(c.count) AS messages`;

interface Params {
  /** A JSON array of domain names, or null for all. */
  domains: string | null;
  from: number;
  to: number;
}

interface RawRow {
  domain: string;
  ip: string;
  disposition: Disposition;
  dkim: number | null;
  spf: number | null;
  messages: number;
}

export interface StraddlingRow extends SourceRow {
  readonly begin: number;
  /** Inclusive, effective. */
  readonly end: number;
}

export interface PeriodRows {
  /** Summed over reports wholly inside the period. */
  readonly inside: readonly SourceRow[];
  /** Per report, for reports that overlap the period but are not wholly inside it. */
  readonly straddling: readonly StraddlingRow[];
}

const toRow = (r: RawRow): SourceRow => ({
  domain: r.domain,
  ip: r.ip,
  disposition: r.disposition,
  dkim: r.dkim === 1,
  spf: r.spf === 1,
  messages: r.messages,
});

export class SummaryQueries {
  constructor(private readonly db: Database) {}

  private readonly insideStmt = () =>
    this.db.prepare<[Params], RawRow>(
      `SELECT ${GROUP_COLUMNS}
         FROM reports r JOIN records c ON c.report_id = r.id
        WHERE ${DOMAIN_FILTER} AND r.begin_ts >= @from AND ${END} < @to
        GROUP BY 1, 2, 3, 4, 5`,
    );

  private readonly straddlingStmt = () =>
    this.db.prepare<[Params], RawRow & { begin: number; end: number }>(
      `SELECT r.begin_ts AS begin, ${END} AS end, ${GROUP_COLUMNS}
         FROM reports r JOIN records c ON c.report_id = r.id
        WHERE ${DOMAIN_FILTER} AND r.begin_ts < @to AND ${END} >= @from AND NOT (r.begin_ts >= @from AND ${END} < @to)
        GROUP BY r.id, 3, 4, 5, 6, 7`,
    );

  /** Source rows of [from, to) for the given policy domains (null: all). */
  rows(domains: readonly string[] | null, from: number, to: number): PeriodRows {
    const filter = domains === null ? null : JSON.stringify(domains);
    return {
      inside: this.insideStmt().all({ domains: filter, from, to }).map(toRow),
      straddling: this.straddlingStmt()
        .all({ domains: filter, from, to })
        .map((r) => ({ ...toRow(r), begin: r.begin, end: r.end })),
    };
  }

  /** Reports overlapping [from, to): who reported, when, how many messages. */
  reports(domains: readonly string[] | null, from: number, to: number): ReportSpan[] {
    return this.db
      .prepare<[Params], ReportSpan>(
        `SELECT r.policy_domain AS domain, r.org_name AS reporter, r.begin_ts AS begin, ${END} AS end,
                r.message_count AS messages
           FROM reports r
          WHERE ${DOMAIN_FILTER} AND r.begin_ts < @to AND ${END} >= @from
          ORDER BY r.begin_ts, r.id`,
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
          WHERE ${DOMAIN_FILTER} AND r.begin_ts < @to AND ${END} >= @from
          GROUP BY 1, 2, 3, 4, 5, 6
          ORDER BY 1, reports DESC, messages DESC`,
      )
      .all({ domains: domains === null ? null : JSON.stringify(domains), from, to });
  }

  /** Policy domains with at least one report overlapping [from, to). */
  domainsReported(from: number, to: number): string[] {
    return this.db
      .prepare<[{ from: number; to: number }], { domain: string }>(
        `SELECT DISTINCT r.policy_domain AS domain FROM reports r
          WHERE r.begin_ts < @to AND ${END} >= @from ORDER BY 1`,
      )
      .all({ from, to })
      .map((r) => r.domain);
  }
}
