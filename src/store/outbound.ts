/**
 * Outbound aggregate reports and their deliveries (schema/sql/004_outbound.sql): the state that
 * makes sending exactly-once per destination and each period reported once.
 *
 * - A report is inserted once per (policy domain, policy configuration, period start) together
 *   with one `pending` delivery per destination, in one transaction: a crash before the commit
 *   leaves nothing, and the rebuild produces the same Report-ID.
 * - A delivery becomes `sent` in its own commit right after the relay's 250; a crash between the
 *   two leaves it `pending`, and the next run sends the very same payload again (RFC 9990 §2.1:
 *   same Report-ID, same file name).
 */
import type { Database, Statement } from 'better-sqlite3';

export type DeliveryState = 'pending' | 'deferred' | 'sent' | 'rejected' | 'suppressed' | 'unauthorized' | 'too_big' | 'expired';

export interface NewReport {
  readonly policyDomain: string;
  readonly configKey: string;
  readonly begin: number;
  readonly end: number;
  readonly reportId: string;
  readonly filename: string;
  readonly format: string;
  readonly records: number;
  readonly messages: number;
  readonly rua: string | null;
  readonly payload: Uint8Array;
  readonly builtAt: number;
}

export interface NewDelivery {
  readonly address: string;
  readonly uri: string;
  readonly maxBytes: number | null;
}

/** A delivery that is due, with what is needed to send it (the payload is read separately). */
export interface DueDelivery {
  readonly reportRow: number;
  readonly address: string;
  readonly uri: string;
  readonly maxBytes: number | null;
  readonly state: 'pending' | 'deferred';
  readonly attempts: number;
  readonly policyDomain: string;
  readonly reportId: string;
  readonly filename: string;
  readonly format: 'rfc9990' | 'rfc7489';
  readonly begin: number;
  readonly end: number;
  readonly builtAt: number;
}

export interface DeliveryOutcome {
  readonly state: DeliveryState;
  readonly at: number;
  readonly code?: number | null;
  readonly message?: string | null;
  /** For `deferred`: when to try again. */
  readonly nextAttemptAt?: number | null;
  /** Counted as an attempt (a message was offered to the relay, or DNS was asked). */
  readonly attempted: boolean;
}

export class OutboundStore {
  readonly #db: Database;
  readonly #exists: Statement<[string, string, number], { id: number }>;
  readonly #insertReport: Statement<Record<string, unknown>>;
  readonly #insertDelivery: Statement<unknown[]>;
  readonly #due: Statement<[number], DueRow>;
  readonly #payload: Statement<[number], { payload: Buffer | null }>;
  readonly #update: Statement<Record<string, unknown>>;
  readonly #suppressed: Statement<[string, number], { reason: string; expires_at: number }>;
  readonly #suppress: Statement<unknown[]>;

  constructor(db: Database) {
    this.#db = db;
    this.#exists = db.prepare('SELECT id FROM outbound_reports WHERE policy_domain = ? AND config_key = ? AND begin_ts = ?');
    this.#insertReport = db.prepare(
      `INSERT INTO outbound_reports (policy_domain, config_key, begin_ts, end_ts, report_id, filename, format, status,
                                     skip_reason, records, messages, rua, payload, built_at)
       VALUES (@policyDomain, @configKey, @begin, @end, @reportId, @filename, @format, @status,
               @skipReason, @records, @messages, @rua, @payload, @builtAt)
       ON CONFLICT (policy_domain, config_key, begin_ts) DO NOTHING`,
    );
    this.#insertDelivery = db.prepare(`INSERT INTO outbound_deliveries (report_row, address, uri, max_bytes, state) VALUES (?, ?, ?, ?, 'pending')`);
    this.#due = db.prepare(
      `SELECT d.report_row, d.address, d.uri, d.max_bytes, d.state, d.attempts,
              r.policy_domain, r.report_id, r.filename, r.format, r.begin_ts, r.end_ts, r.built_at
         FROM outbound_deliveries d JOIN outbound_reports r ON r.id = d.report_row
        WHERE d.state = 'pending' OR (d.state = 'deferred' AND d.next_attempt_at <= ?)
        ORDER BY r.built_at, r.id, d.address`,
    );
    this.#payload = db.prepare('SELECT payload FROM outbound_reports WHERE id = ?');
    this.#update = db.prepare(
      `UPDATE outbound_deliveries
          SET state = @state, attempts = attempts + @attempted, last_attempt_at = CASE WHEN @attempted = 1 THEN @at ELSE last_attempt_at END,
              next_attempt_at = @next, sent_at = CASE WHEN @state = 'sent' THEN @at ELSE sent_at END,
              last_code = @code, last_message = @message
        WHERE report_row = @reportRow AND address = @address`,
    );
    this.#suppressed = db.prepare('SELECT reason, expires_at FROM outbound_suppressions WHERE address = ? AND expires_at > ?');
    this.#suppress = db.prepare(
      `INSERT INTO outbound_suppressions (address, reason, code, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (address) DO UPDATE SET reason = excluded.reason, code = excluded.code, created_at = excluded.created_at, expires_at = excluded.expires_at`,
    );
  }

  /** Was this (policy domain, configuration, period) built or skipped before? */
  has(policyDomain: string, configKey: string, begin: number): boolean {
    return this.#exists.get(policyDomain, configKey, begin) !== undefined;
  }

  /** Record a built report and its pending deliveries, atomically. False when it already existed. */
  addBuilt(report: NewReport, deliveries: readonly NewDelivery[]): boolean {
    return this.#db.transaction(() => {
      const info = this.#insertReport.run({ ...report, status: 'built', skipReason: null, payload: Buffer.from(report.payload) });
      if (info.changes === 0) return false;
      const row = Number(info.lastInsertRowid);
      for (const d of deliveries) this.#insertDelivery.run(row, d.address, d.uri, d.maxBytes);
      return true;
    }).immediate();
  }

  /** Record that a period of a policy domain is not reported, and why: it is never reconsidered. */
  addSkipped(report: Omit<NewReport, 'payload'>, reason: string): boolean {
    const info = this.#insertReport.run({ ...report, status: 'skipped', skipReason: reason, payload: null });
    return info.changes > 0;
  }

  /** Deliveries to make now: never tried, or deferred and due. Oldest reports first. */
  due(now: number): DueDelivery[] {
    return this.#due.all(now).map((r) => ({
      reportRow: r.report_row,
      address: r.address,
      uri: r.uri,
      maxBytes: r.max_bytes,
      state: r.state,
      attempts: r.attempts,
      policyDomain: r.policy_domain,
      reportId: r.report_id,
      filename: r.filename,
      format: r.format === 'rfc7489' ? 'rfc7489' : 'rfc9990',
      begin: r.begin_ts,
      end: r.end_ts,
      builtAt: r.built_at,
    }));
  }

  payload(reportRow: number): Buffer {
    const row = this.#payload.get(reportRow);
    if (row?.payload == null) throw new Error(`outbound report ${reportRow} has no payload`);
    return row.payload;
  }

  /** Record what happened to one delivery (its own commit: autocommit). */
  settle(reportRow: number, address: string, outcome: DeliveryOutcome): void {
    this.#update.run({
      reportRow,
      address,
      state: outcome.state,
      attempted: outcome.attempted ? 1 : 0,
      at: outcome.at,
      next: outcome.nextAttemptAt ?? null,
      code: outcome.code ?? null,
      message: outcome.message ?? null,
    });
  }

  /** The active suppression of an address, if any. */
  suppression(address: string, now: number): { reason: string; expiresAt: number } | null {
    const row = this.#suppressed.get(address.toLowerCase(), now);
    return row === undefined ? null : { reason: row.reason, expiresAt: row.expires_at };
  }

  suppress(address: string, reason: string, code: number | null, now: number, expiresAt: number): void {
    this.#suppress.run(address.toLowerCase(), reason, code, now, expiresAt);
  }
}

interface DueRow {
  report_row: number;
  address: string;
  uri: string;
  max_bytes: number | null;
  state: 'pending' | 'deferred';
  attempts: number;
  policy_domain: string;
  report_id: string;
  filename: string;
  format: string;
  begin_ts: number;
  end_ts: number;
  built_at: number;
}
