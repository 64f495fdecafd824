/** Read side for `ruaflow reports` and the short summary of `ruaflow run`. */
import type { Database } from 'better-sqlite3';
import type { ReportFormat, ReportIssue } from '../report/aggregate/types.js';

export interface StoredReport {
  readonly id: number;
  readonly orgName: string;
  readonly email: string | null;
  readonly reportId: string;
  readonly policyDomain: string;
  readonly begin: number;
  readonly end: number;
  readonly records: number;
  readonly messages: number;
  readonly format: ReportFormat;
  readonly issues: ReportIssue[];
  readonly storedAt: number;
}

export interface ReportFilter {
  readonly domain?: string | undefined;
}

export function listReports(db: Database, filter: ReportFilter = {}): StoredReport[] {
  const rows = db
    .prepare<[string | null, string | null], Record<string, unknown>>(
      `SELECT id, org_name, email, report_id, policy_domain, begin_ts, end_ts, record_count, message_count,
              format, issues, stored_at
         FROM reports WHERE (? IS NULL OR policy_domain = ?)
        ORDER BY begin_ts, org_name, report_id`,
    )
    .all(filter.domain ?? null, filter.domain ?? null);
  return rows.map((r) => ({
    id: r['id'] as number,
    orgName: r['org_name'] as string,
    email: r['email'] as string | null,
    reportId: r['report_id'] as string,
    policyDomain: r['policy_domain'] as string,
    begin: r['begin_ts'] as number,
    end: r['end_ts'] as number,
    records: r['record_count'] as number,
    messages: r['message_count'] as number,
    format: r['format'] as ReportFormat,
    issues: JSON.parse(r['issues'] as string) as ReportIssue[],
    storedAt: r['stored_at'] as number,
  }));
}

export interface DomainOverview {
  readonly domain: string;
  readonly reports: number;
  readonly reporters: number;
  readonly begin: number;
  readonly end: number;
  readonly messages: number;
  /** Messages that passed DMARC: aligned DKIM or aligned SPF pass (RFC 7489 §4.2). */
  readonly dmarcPass: number;
  readonly topSources: readonly { readonly ip: string; readonly messages: number; readonly dmarcPass: number }[];
}

export function domainOverview(db: Database, topN = 5): DomainOverview[] {
  const domains = db
    .prepare<[], { domain: string; reports: number; reporters: number; begin: number; end: number }>(
      `SELECT policy_domain AS domain, COUNT(*) AS reports, COUNT(DISTINCT org_name) AS reporters,
              MIN(begin_ts) AS begin, MAX(end_ts) AS end
         FROM reports GROUP BY policy_domain ORDER BY policy_domain`,
    )
    .all();
  const totals = db.prepare<[string], { messages: number | null; pass: number | null }>(
    `SELECT SUM(c.count) AS messages,
            SUM(CASE WHEN c.dkim_aligned = 'pass' OR c.spf_aligned = 'pass' THEN c.count ELSE 0 END) AS pass
       FROM records c JOIN reports r ON r.id = c.report_id WHERE r.policy_domain = ?`,
  );
  const sources = db.prepare<[string, number], { ip: string; messages: number; pass: number }>(
    `SELECT c.source_ip AS ip, SUM(c.count) AS messages,
            SUM(CASE WHEN c.dkim_aligned = 'pass' OR c.spf_aligned = 'pass' THEN c.count ELSE 0 END) AS pass
       FROM records c JOIN reports r ON r.id = c.report_id WHERE r.policy_domain = ?
      GROUP BY c.source_ip ORDER BY messages DESC, ip LIMIT ?`,
  );
  return domains.map((d) => {
    const t = totals.get(d.domain);
    return {
      ...d,
      messages: t?.messages ?? 0,
      dmarcPass: t?.pass ?? 0,
      topSources: sources.all(d.domain, topN).map((s) => ({ ip: s.ip, messages: s.messages, dmarcPass: s.pass })),
    };
  });
}
