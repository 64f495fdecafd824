/**
 * Evaluations → the contents of outbound aggregate reports (pure).
 *
 * Glossary (outbound side)
 * - evaluation: one message we received and checked (SPF, DKIM, DMARC), recorded by
 *   `ruaflow verify` / `serve` (schema/sql/002_evaluations.sql).
 * - policy configuration: the published tags that shaped the evaluation — p sp np adkim aspf fo
 *   testing pct and how the record was found. RFC 9990 §2: one report covers exactly one policy
 *   domain and one policy configuration; a record that changed mid-day makes two reports.
 * - report row: one `<record>` — one distinct (source IP, disposition, aligned results, reasons,
 *   header From, envelope from/to, auth results) tuple with its message count (RFC 9990 §3).
 */
import { createHash } from 'node:crypto';
import type { Evaluation, EvaluationDkim, EvaluationReason, PolicyConfig } from '../store/evaluation-row.js';

export interface RowDkim {
  readonly domain: string;
  readonly selector: string;
  readonly result: string;
  readonly humanResult: string | null;
}

export interface RowSpf {
  readonly domain: string;
  readonly scope: string | null;
  readonly result: string;
}

export interface ReportRow {
  readonly sourceIp: string;
  readonly count: number;
  readonly disposition: string;
  readonly dkimAligned: string;
  readonly spfAligned: string;
  readonly reasons: readonly EvaluationReason[];
  readonly headerFrom: string;
  /** '' for the null reverse-path (RFC 9990 §3: present but empty); null when unknown. */
  readonly envelopeFrom: string | null;
  /** The first recipient's domain, or null. */
  readonly envelopeTo: string | null;
  readonly dkim: readonly RowDkim[];
  readonly spf: RowSpf | null;
}

/** Everything one report says about one policy domain, configuration and period. */
export interface PolicyGroup {
  readonly policyDomain: string;
  readonly policy: PolicyConfig;
  /** A short stable hash of the policy configuration (part of the report's identity). */
  readonly configKey: string;
  /** The rua of the newest evaluation in the group. */
  readonly rua: string | null;
  readonly rows: readonly ReportRow[];
  /** Sum of the rows' counts. */
  readonly messages: number;
  /** Evaluations in the group that were report mail to one of our own rua mailboxes. */
  readonly reportMail: number;
  /** Evaluations in the group that we rejected. */
  readonly rejected: number;
  /** Evaluations left out: no single header From domain (RFC 9990 §3: header_from is required). */
  readonly skipped: number;
}

/** RFC 9990 §3 ("DKIM signatures"): at most this many DKIM results per row. */
export const MAX_DKIM_PER_ROW = 100;

function configKeyOf(policy: PolicyConfig): string {
  return createHash('sha256').update(configText(policy)).digest('hex').slice(0, 16);
}

/** The configuration as one string (what configKeyOf hashes). */
function configText(p: PolicyConfig): string {
  const parts = [p.p, p.sp, p.np, p.adkim, p.aspf, p.fo, p.testing, p.pct, p.discoveryMethod];
  return parts.map((v) => (v === null ? '\u0000' : String(v))).join('\u0001');
}

/**
 * Group the evaluations of one policy domain and period by policy configuration and fold each
 * group into report rows. Groups come back in the order their configuration was first seen.
 */
export function aggregatePolicyDomain(evaluations: Iterable<Evaluation>, ownRua: ReadonlySet<string>): PolicyGroup[] {
  interface Building {
    policyDomain: string;
    policy: PolicyConfig;
    configKey: string;
    rua: string | null;
    ruaAt: number;
    rows: Map<string, { row: ReportRow; count: number }>;
    messages: number;
    reportMail: number;
    rejected: number;
    skipped: number;
  }
  // Keyed by the configuration's text; hashed once per group, not once per evaluation.
  const groups = new Map<string, Building>();
  for (const e of evaluations) {
    const text = configText(e.policy);
    let g = groups.get(text);
    if (g === undefined) {
      g = { policyDomain: e.policyDomain, policy: e.policy, configKey: configKeyOf(e.policy), rua: e.rua, ruaAt: e.evaluatedAt, rows: new Map(), messages: 0, reportMail: 0, rejected: 0, skipped: 0 };
      groups.set(text, g);
    }
    if (e.evaluatedAt >= g.ruaAt) {
      g.rua = e.rua;
      g.ruaAt = e.evaluatedAt;
    }
    if (e.recipients.length > 0 && e.recipients.every((r) => ownRua.has(r.toLowerCase()))) g.reportMail++;
    if (e.decision === 'reject') g.rejected++;
    const row = rowOf(e);
    if (row === null) {
      g.skipped++;
      continue;
    }
    const key = rowKey(row);
    const same = g.rows.get(key);
    if (same === undefined) g.rows.set(key, { row, count: 1 });
    else same.count++;
    g.messages++;
  }
  return [...groups.values()].map((g) => ({
    policyDomain: g.policyDomain,
    policy: g.policy,
    configKey: g.configKey,
    rua: g.rua,
    rows: [...g.rows.values()].map(({ row, count }) => ({ ...row, count })),
    messages: g.messages,
    reportMail: g.reportMail,
    rejected: g.rejected,
    skipped: g.skipped,
  }));
}

function rowOf(e: Evaluation): ReportRow | null {
  if (e.headerFrom === null || e.headerFrom === '') return null;
  const envelopeTo = e.recipients[0];
  const at = envelopeTo?.lastIndexOf('@') ?? -1;
  return {
    sourceIp: e.sourceIp,
    count: 1,
    // A DMARC result we could not reach (temperror) still had a disposition applied: none.
    disposition: e.disposition ?? 'none',
    dkimAligned: e.dkimAligned === 'pass' ? 'pass' : 'fail',
    spfAligned: e.spfAligned === 'pass' ? 'pass' : 'fail',
    reasons: e.reasons.map((r) => ({ type: r.type, comment: r.comment })),
    headerFrom: e.headerFrom.toLowerCase(),
    envelopeFrom: e.envelopeFromDomain === null ? null : e.envelopeFromDomain.toLowerCase(),
    envelopeTo: envelopeTo === undefined || at < 0 ? null : envelopeTo.slice(at + 1).toLowerCase(),
    dkim: orderDkim(e.dkim),
    spf: e.spfResult === null || e.spfDomain === null ? null : { domain: e.spfDomain.toLowerCase(), scope: e.spfScope, result: e.spfResult },
  };
}

/** RFC 9990 §3 ("DKIM signatures"): aligned passes first, then other passes, then the rest;
 * at most MAX_DKIM_PER_ROW. Within a class, the order the signatures were verified in. */
function orderDkim(dkim: readonly EvaluationDkim[]): RowDkim[] {
  const rank = (d: EvaluationDkim): number => (d.result === 'pass' ? (d.aligned ? 0 : 1) : 2);
  return [...dkim]
    .map((d, i) => ({ d, i }))
    .sort((a, b) => rank(a.d) - rank(b.d) || a.i - b.i)
    .slice(0, MAX_DKIM_PER_ROW)
    .map(({ d }) => ({ domain: d.domain.toLowerCase(), selector: d.selector, result: d.result, humanResult: d.reason }));
}

/** Identity of a row: every field but the count. */
function rowKey(r: ReportRow): string {
  const parts: (string | null)[] = [r.sourceIp, r.disposition, r.dkimAligned, r.spfAligned, r.headerFrom, r.envelopeFrom, r.envelopeTo];
  for (const x of r.reasons) parts.push('R', x.type, x.comment);
  for (const d of r.dkim) parts.push('D', d.domain, d.selector, d.result, d.humanResult);
  if (r.spf !== null) parts.push('S', r.spf.domain, r.spf.scope, r.spf.result);
  return parts.map((p) => (p === null ? '\u0000' : p)).join('\u0001');
}
