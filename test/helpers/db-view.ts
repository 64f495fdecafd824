/** A stable, readable view of what the store holds, for golden comparisons. */
import type { Database } from 'better-sqlite3';

export function reportsView(db: Database, recordLimit = 3) {
  const reports = db.prepare('SELECT * FROM reports ORDER BY id').all() as Record<string, unknown>[];
  const records = db.prepare('SELECT * FROM records WHERE report_id = ? ORDER BY id LIMIT ?');
  const dkim = db.prepare('SELECT domain, selector, result, human_result FROM dkim_results WHERE record_id = ? ORDER BY n');
  const spf = db.prepare('SELECT domain, scope, result, human_result FROM spf_results WHERE record_id = ? ORDER BY n');
  const reasons = db.prepare('SELECT type, comment FROM reasons WHERE record_id = ? ORDER BY n');
  return reports.map((r) => ({
    org_name: r['org_name'],
    email: r['email'],
    report_id: r['report_id'],
    report_id_raw: r['report_id_raw'],
    policy_domain: r['policy_domain'],
    begin: r['begin_ts'],
    end: r['end_ts'],
    format: r['format'],
    namespace: r['namespace'],
    version: r['version'],
    generator: r['generator'],
    errors: JSON.parse(r['errors'] as string) as unknown,
    policy: {
      adkim: r['adkim'],
      aspf: r['aspf'],
      p: r['p'],
      sp: r['sp'],
      np: r['np'],
      pct: r['pct'],
      fo: r['fo'],
      testing: r['testing'],
      discovery_method: r['discovery_method'],
    },
    payload_name: r['payload_name'],
    records: r['record_count'],
    messages: r['message_count'],
    issues: (JSON.parse(r['issues'] as string) as { code: string; count: number }[]).map((i) => `${i.code}${i.count > 1 ? ` x${i.count}` : ''}`),
    first_records: (records.all(r['id'], recordLimit) as Record<string, unknown>[]).map((c) => ({
      source_ip: c['source_ip'],
      ip_version: c['ip_version'],
      count: c['count'],
      disposition: c['disposition'],
      dkim_aligned: c['dkim_aligned'],
      spf_aligned: c['spf_aligned'],
      header_from: c['header_from'],
      envelope_from: c['envelope_from'],
      envelope_to: c['envelope_to'],
      reasons: reasons.all(c['id']),
      dkim: dkim.all(c['id']),
      spf: spf.all(c['id']),
    })),
  }));
}
