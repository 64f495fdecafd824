/**
 * Evaluations of received messages (schema/sql/002_evaluations.sql): one row per verified
 * message, its recipients, every DKIM signature and the override reasons. Written by `ruaflow
 * verify` and `ruaflow serve`; outbound aggregate reports are built from these tables.
 *
 * `insert()` writes one evaluation in a savepoint (its own transaction when none is open), so a
 * caller may group many into one commit (serve does, and commits before it stops).
 */
import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { PolicyConfig } from './evaluation-row.js';
import { ipToBytes } from '../report/aggregate/ip.js';

/** One evaluation; the published policy's tags (p … pct, discovery method) are the fields an
 * outbound report groups by (src/receiver/aggregate.ts PolicyConfig). */
export interface EvaluationRow extends PolicyConfig {
  readonly evaluatedAt: number;
  readonly sourceIp: string;
  readonly ipVersion: 4 | 6;
  readonly helo: string | null;
  readonly envelopeFrom: string;
  readonly envelopeFromDomain: string | null;
  readonly headerFrom: string | null;
  readonly headerFromCount: number;
  readonly messageId: string | null;
  readonly spfDomain: string | null;
  readonly spfScope: string | null;
  readonly spfResult: string | null;
  readonly dmarcResult: string | null;
  readonly policyDomain: string | null;
  readonly rua: string | null;
  readonly dkimAligned: 'pass' | 'fail';
  readonly spfAligned: 'pass' | 'fail';
  readonly disposition: string;
  readonly decision: string;
  readonly arcResult: string | null;
  readonly recipients: readonly { readonly address: string; readonly domain: string }[];
  readonly dkim: readonly {
    readonly domain: string;
    readonly selector: string;
    readonly identity: string | null;
    readonly algorithm: string | null;
    readonly keyBits: number | null;
    readonly result: string;
    readonly reason: string | null;
    readonly aligned: boolean;
    readonly status: string;
  }[];
  readonly reasons: readonly { readonly type: string; readonly comment: string | null }[];
}

export class EvaluationStore {
  readonly #insert: Statement<unknown[]>;
  readonly #recipient: Statement<unknown[]>;
  readonly #dkim: Statement<unknown[]>;
  readonly #reason: Statement<unknown[]>;
  /** better-sqlite3's transaction wrapper: BEGIN IMMEDIATE … COMMIT on its own, a savepoint
   * inside an open transaction (serve's group commits), rolled back on a throw. */
  readonly #write: Transaction<(row: EvaluationRow) => number>;

  constructor(db: Database) {
    this.#insert = db.prepare(
      `INSERT INTO evaluations (evaluated_at, source_ip, ip_bin, helo, envelope_from, envelope_from_domain, header_from,
                                header_from_count, message_id, spf_domain, spf_scope, spf_result, dmarc_result,
                                policy_domain, discovery_method, p, sp, np, adkim, aspf, fo, testing, pct, rua,
                                dkim_aligned, spf_aligned, disposition, decision, arc_result)
       VALUES (${Array<string>(29).fill('?').join(', ')})`,
    );
    this.#recipient = db.prepare('INSERT INTO evaluation_recipients (evaluation_id, n, address, domain) VALUES (?, ?, ?, ?)');
    this.#dkim = db.prepare(
      `INSERT INTO evaluation_dkim (evaluation_id, n, domain, selector, identity, algorithm, key_bits, result, reason, aligned, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#reason = db.prepare('INSERT INTO evaluation_reasons (evaluation_id, n, type, comment) VALUES (?, ?, ?, ?)');
    this.#write = db.transaction((row: EvaluationRow) => this.#rows(row));
  }

  /** Writes one evaluation; returns its id. */
  insert(row: EvaluationRow): number {
    return this.#write.immediate(row);
  }

  #rows(r: EvaluationRow): number {
    // Positional parameters, in the column order above (cheaper than named ones per insert).
    const id = Number(
      this.#insert.run(
        r.evaluatedAt, r.sourceIp, ipToBytes(r.sourceIp, r.ipVersion), r.helo, r.envelopeFrom, r.envelopeFromDomain, r.headerFrom,
        r.headerFromCount, r.messageId, r.spfDomain, r.spfScope, r.spfResult, r.dmarcResult,
        r.policyDomain, r.discoveryMethod, r.p, r.sp, r.np, r.adkim, r.aspf, r.fo, r.testing, r.pct, r.rua,
        r.dkimAligned, r.spfAligned, r.disposition, r.decision, r.arcResult,
      ).lastInsertRowid,
    );
    r.recipients.forEach((x, n) => this.#recipient.run(id, n, x.address, x.domain));
    r.dkim.forEach((s, n) =>
      this.#dkim.run(id, n, s.domain, s.selector, s.identity, s.algorithm, s.keyBits, s.result, s.reason, s.aligned ? 1 : 0, s.status),
    );
    r.reasons.forEach((x, n) => this.#reason.run(id, n, x.type, x.comment));
    return id;
  }
}
