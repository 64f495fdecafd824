/**
 * Reading recorded evaluations (schema/sql/002_evaluations.sql, written by `ruaflow verify` /
 * `serve`) for outbound aggregate reports: one policy domain at a time, so that memory is bounded
 * by the busiest domain of a day, never by the whole day (issue 7: 1,000,000 evaluations).
 * Read-only; the writer lives with the receiver.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Evaluation, EvaluationDkim, EvaluationReason } from '../receiver/aggregate.js';

interface EvaluationRow {
  id: number;
  evaluated_at: number;
  source_ip: string;
  envelope_from_domain: string | null;
  header_from: string | null;
  spf_domain: string | null;
  spf_scope: string | null;
  spf_result: string | null;
  policy_domain: string;
  discovery_method: string | null;
  p: string | null;
  sp: string | null;
  np: string | null;
  adkim: string | null;
  aspf: string | null;
  fo: string | null;
  testing: string | null;
  pct: number | null;
  rua: string | null;
  dkim_aligned: string | null;
  spf_aligned: string | null;
  disposition: string | null;
  decision: string;
}

const OF_DOMAIN = 'SELECT id FROM evaluations WHERE policy_domain = ? AND evaluated_at BETWEEN ? AND ?';

export class EvaluationReader {
  readonly #domains: Statement<[number, number], { policy_domain: string }>;
  readonly #evaluations: Statement<[string, number, number], EvaluationRow>;
  readonly #dkim: Statement<[string, number, number], { evaluation_id: number; domain: string; selector: string; result: string; reason: string | null; aligned: number }>;
  readonly #reasons: Statement<[string, number, number], { evaluation_id: number; type: string; comment: string | null }>;
  readonly #recipients: Statement<[string, number, number], { evaluation_id: number; address: string }>;
  readonly #everAccepted: Statement<[string], { one: number }>;

  constructor(db: Database) {
    this.#domains = db.prepare(
      `SELECT DISTINCT policy_domain FROM evaluations
        WHERE evaluated_at BETWEEN ? AND ? AND policy_domain IS NOT NULL AND policy_domain <> ''
        ORDER BY policy_domain`,
    );
    this.#evaluations = db.prepare(
      `SELECT id, evaluated_at, source_ip, envelope_from_domain, header_from, spf_domain, spf_scope, spf_result,
              policy_domain, discovery_method, p, sp, np, adkim, aspf, fo, testing, pct, rua,
              dkim_aligned, spf_aligned, disposition, decision
         FROM evaluations WHERE policy_domain = ? AND evaluated_at BETWEEN ? AND ? ORDER BY id`,
    );
    this.#dkim = db.prepare(
      `SELECT evaluation_id, domain, selector, result, reason, aligned FROM evaluation_dkim
        WHERE evaluation_id IN (${OF_DOMAIN}) ORDER BY evaluation_id, n`,
    );
    this.#reasons = db.prepare(`SELECT evaluation_id, type, comment FROM evaluation_reasons WHERE evaluation_id IN (${OF_DOMAIN}) ORDER BY evaluation_id, n`);
    this.#recipients = db.prepare(`SELECT evaluation_id, address FROM evaluation_recipients WHERE evaluation_id IN (${OF_DOMAIN}) ORDER BY evaluation_id, n`);
    this.#everAccepted = db.prepare(`SELECT 1 AS one FROM evaluations WHERE policy_domain = ? AND decision IN ('accept', 'quarantine') LIMIT 1`);
  }

  /** Policy domains with evaluations in [begin, end], sorted. */
  policyDomains(begin: number, end: number): string[] {
    return this.#domains.all(begin, end).map((r) => r.policy_domain);
  }

  /** Every evaluation of one policy domain in [begin, end], with its DKIM results, reasons and recipients. */
  evaluationsOf(domain: string, begin: number, end: number): Evaluation[] {
    const dkim = groupBy(this.#dkim.all(domain, begin, end), (r): EvaluationDkim => ({ domain: r.domain, selector: r.selector, result: r.result, reason: r.reason, aligned: r.aligned === 1 }));
    const reasons = groupBy(this.#reasons.all(domain, begin, end), (r): EvaluationReason => ({ type: r.type, comment: r.comment }));
    const recipients = groupBy(this.#recipients.all(domain, begin, end), (r) => r.address);
    return this.#evaluations.all(domain, begin, end).map((r) => ({
      id: r.id,
      evaluatedAt: r.evaluated_at,
      sourceIp: r.source_ip,
      envelopeFromDomain: r.envelope_from_domain,
      headerFrom: r.header_from,
      spfDomain: r.spf_domain,
      spfScope: r.spf_scope,
      spfResult: r.spf_result,
      policyDomain: r.policy_domain,
      policy: { p: r.p, sp: r.sp, np: r.np, adkim: r.adkim, aspf: r.aspf, fo: r.fo, testing: r.testing, pct: r.pct, discoveryMethod: r.discovery_method },
      rua: r.rua,
      dkimAligned: r.dkim_aligned,
      spfAligned: r.spf_aligned,
      disposition: r.disposition,
      decision: r.decision,
      recipients: recipients.get(r.id) ?? [],
      dkim: dkim.get(r.id) ?? [],
      reasons: reasons.get(r.id) ?? [],
    }));
  }

  /** Did any message of this policy domain, ever, get accepted or quarantined (not rejected)? */
  everAccepted(domain: string): boolean {
    return this.#everAccepted.get(domain) !== undefined;
  }
}

function groupBy<R extends { evaluation_id: number }, T>(rows: readonly R[], map: (row: R) => T): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const row of rows) {
    const list = out.get(row.evaluation_id);
    if (list === undefined) out.set(row.evaluation_id, [map(row)]);
    else list.push(map(row));
  }
  return out;
}
