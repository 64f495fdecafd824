/** What `ruaflow reports` prints: the stable `--json` shape and the table. */
import type { StoredReport } from '../store/report-list.js';

/** The stable `--json` shape (docs/json-output.md "reports"): snake_case, epoch seconds. */
export function reportJson(r: StoredReport) {
  return {
    org_name: r.orgName,
    email: r.email,
    report_id: r.reportId,
    policy_domain: r.policyDomain,
    begin: r.begin,
    end: r.end,
    records: r.records,
    messages: r.messages,
    format: r.format,
    issues: r.issues,
  };
}

export function renderReports(reports: readonly StoredReport[]): string {
  if (reports.length === 0) return 'No reports stored.\n';
  const rows = reports.map((r) => [
    new Date(r.begin * 1000).toISOString().slice(0, 16).replace('T', ' '),
    r.policyDomain,
    r.orgName,
    r.reportId,
    String(r.records),
    String(r.messages),
    r.format,
    r.issues.length === 0 ? '' : r.issues.map((i) => i.code).join(','),
  ]);
  const head = ['begin (UTC)', 'domain', 'reporter', 'report id', 'records', 'messages', 'format', 'issues'];
  const widths = head.map((h, i) => Math.min(40, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => {
        const w = widths[i] ?? 0;
        const cut = c.length > w ? `${c.slice(0, w - 1)}…` : c;
        return i === 4 || i === 5 ? cut.padStart(w) : cut.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n${reports.length} report${reports.length === 1 ? '' : 's'}\n`;
}
