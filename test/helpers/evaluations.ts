/**
 * Writing evaluation rows (schema/sql/002_evaluations.sql) into a real SQLite file, as
 * `ruaflow verify` / `serve` would, for the outbound-report tests and the bench. Plain SQL on
 * purpose: the receiver's own writer belongs to another module.
 */
import type { Database } from 'better-sqlite3';

export interface EvaluationInput {
  evaluatedAt: number;
  sourceIp: string;
  helo?: string | null;
  envelopeFrom?: string | null;
  envelopeFromDomain?: string | null;
  headerFrom: string | null;
  spfDomain?: string | null;
  spfScope?: string | null;
  spfResult?: string | null;
  dmarcResult?: string | null;
  policyDomain: string | null;
  discoveryMethod?: string | null;
  p?: string | null;
  sp?: string | null;
  np?: string | null;
  adkim?: string | null;
  aspf?: string | null;
  fo?: string | null;
  testing?: string | null;
  pct?: number | null;
  rua?: string | null;
  dkimAligned?: string | null;
  spfAligned?: string | null;
  disposition?: string | null;
  decision?: string;
  recipients?: string[];
  dkim?: { domain: string; selector: string; result: string; reason?: string | null; aligned?: boolean }[];
  reasons?: { type: string; comment?: string | null }[];
}

/** A passing, accepted message from `domain` (policy p=none, rua to `rua@<domain>`), on `at`. */
export function evaluation(domain: string, at: number, overrides: Partial<EvaluationInput> = {}): EvaluationInput {
  return {
    evaluatedAt: at,
    sourceIp: '192.0.2.10',
    helo: `mail.${domain}`,
    envelopeFrom: `bounce@${domain}`,
    envelopeFromDomain: domain,
    headerFrom: domain,
    spfDomain: domain,
    spfScope: 'mfrom',
    spfResult: 'pass',
    dmarcResult: 'pass',
    policyDomain: domain,
    discoveryMethod: 'treewalk',
    p: 'none',
    rua: `mailto:rua@${domain}`,
    dkimAligned: 'pass',
    spfAligned: 'pass',
    disposition: 'none',
    decision: 'accept',
    recipients: ['user@receiver.example'],
    dkim: [{ domain, selector: 's1', result: 'pass', aligned: true }],
    reasons: [],
    ...overrides,
  };
}

export function insertEvaluations(db: Database, list: readonly EvaluationInput[]): void {
  const insert = db.prepare(
    `INSERT INTO evaluations (evaluated_at, source_ip, helo, envelope_from, envelope_from_domain, header_from, spf_domain, spf_scope,
       spf_result, dmarc_result, policy_domain, discovery_method, p, sp, np, adkim, aspf, fo, testing, pct, rua,
       dkim_aligned, spf_aligned, disposition, decision)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const recipient = db.prepare('INSERT INTO evaluation_recipients (evaluation_id, n, address, domain) VALUES (?, ?, ?, ?)');
  const dkim = db.prepare('INSERT INTO evaluation_dkim (evaluation_id, n, domain, selector, result, reason, aligned) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const reason = db.prepare('INSERT INTO evaluation_reasons (evaluation_id, n, type, comment) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (const e of list) {
      const id = Number(
        insert.run(
          e.evaluatedAt, e.sourceIp, e.helo ?? null, e.envelopeFrom ?? null, e.envelopeFromDomain ?? null, e.headerFrom,
          e.spfDomain ?? null, e.spfScope ?? null, e.spfResult ?? null, e.dmarcResult ?? null, e.policyDomain,
          e.discoveryMethod ?? null, e.p ?? null, e.sp ?? null, e.np ?? null, e.adkim ?? null, e.aspf ?? null, e.fo ?? null,
          e.testing ?? null, e.pct ?? null, e.rua ?? null, e.dkimAligned ?? null, e.spfAligned ?? null, e.disposition ?? null,
          e.decision ?? 'accept',
        ).lastInsertRowid,
      );
      (e.recipients ?? []).forEach((a, n) => recipient.run(id, n, a, a.slice(a.lastIndexOf('@') + 1).toLowerCase()));
      (e.dkim ?? []).forEach((d, n) => dkim.run(id, n, d.domain, d.selector, d.result, d.reason ?? null, d.aligned === true ? 1 : 0));
      (e.reasons ?? []).forEach((r, n) => reason.run(id, n, r.type, r.comment ?? null));
    }
  })();
}
