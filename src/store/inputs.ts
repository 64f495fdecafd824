/**
 * The input ledger: every file, mbox message or mailbox message seen, with its hash and what
 * became of it. It answers "did we already process these exact bytes?" and "why was this one
 * invalid?".
 */
import type { Database } from 'better-sqlite3';
import { KEYS_PER_QUERY as KEY_CHUNK } from '../limits.js';

export const INPUT_OUTCOMES = ['stored', 'duplicate', 'invalid', 'not_aggregate'] as const;
export type InputOutcome = (typeof INPUT_OUTCOMES)[number];

export interface InputEntry {
  readonly source: 'file' | 'mbox' | 'imap';
  readonly sourceKey: string;
  readonly sha256: string;
  readonly size: number;
  readonly messageId: string | null;
  readonly subject: string | null;
  readonly outcome: InputOutcome;
  readonly reason: string | null;
  readonly reportsNew: number;
  readonly reportsDuplicate: number;
  readonly reportsInvalid: number;
}

export interface PriorInput {
  readonly id: number;
  readonly outcome: InputOutcome;
  readonly reason: string | null;
  readonly reportsNew: number;
  readonly reportsDuplicate: number;
}

export class InputLedger {
  readonly #db: Database;
  readonly #findBySha;
  readonly #upsert;

  constructor(db: Database) {
    this.#db = db;
    this.#findBySha = db.prepare<[string], { id: number; outcome: InputOutcome; reason: string | null; reports_new: number; reports_duplicate: number }>(
      `SELECT id, outcome, reason, reports_new, reports_duplicate FROM inputs
        WHERE sha256 = ? AND outcome IN ('stored', 'duplicate', 'not_aggregate')
        ORDER BY id LIMIT 1`,
    );
    this.#upsert = db.prepare<Record<string, unknown>, { id: number }>(
      `INSERT INTO inputs (source, source_key, sha256, size, message_id, subject, outcome, reason,
                           reports_new, reports_duplicate, reports_invalid, first_seen, last_seen)
       VALUES (@source, @sourceKey, @sha256, @size, @messageId, @subject, @outcome, @reason,
               @reportsNew, @reportsDuplicate, @reportsInvalid, @now, @now)
       ON CONFLICT (source_key, sha256) DO UPDATE SET
         last_seen = excluded.last_seen,
         times_seen = times_seen + 1,
         -- The latest processing wins, except that a re-sent copy of stored input stays 'stored'.
         outcome = CASE WHEN excluded.outcome = 'duplicate' AND inputs.outcome = 'stored' THEN 'stored' ELSE excluded.outcome END,
         reason = CASE WHEN excluded.outcome = 'duplicate' AND inputs.outcome = 'stored' THEN inputs.reason ELSE excluded.reason END,
         -- A copy seen again keeps the counts of the processing that read it, so that they
         -- always say how many reports the input holds.
         reports_new = CASE WHEN inputs.outcome = 'invalid' THEN excluded.reports_new ELSE inputs.reports_new END,
         reports_duplicate = CASE WHEN inputs.outcome = 'invalid' THEN excluded.reports_duplicate ELSE inputs.reports_duplicate END,
         reports_invalid = excluded.reports_invalid
       RETURNING id`,
    );
  }

  /** An earlier sighting of these exact bytes that was fully processed (not one that failed:
   * a failed input is tried again, as a limit may have been raised or a bug fixed since). */
  findProcessed(sha256: string): PriorInput | undefined {
    const row = this.#findBySha.get(sha256);
    if (row === undefined) return undefined;
    return {
      id: row.id,
      outcome: row.outcome,
      reason: row.reason,
      reportsNew: row.reports_new,
      reportsDuplicate: row.reports_duplicate,
    };
  }

  /** The outcome recorded for each of these source keys that the ledger knows (the latest row
   * of a key). The poller uses it to skip mailbox messages it has already processed. */
  outcomesByKey(keys: readonly string[]): Map<string, InputOutcome> {
    const found = new Map<string, InputOutcome>();
    for (let i = 0; i < keys.length; i += KEY_CHUNK) {
      const chunk = keys.slice(i, i + KEY_CHUNK);
      const rows = this.#db
        .prepare<string[], { source_key: string; outcome: InputOutcome }>(
          `SELECT source_key, outcome FROM inputs WHERE source_key IN (${chunk.map(() => '?').join(', ')}) ORDER BY id`,
        )
        .all(...chunk);
      for (const r of rows) found.set(r.source_key, r.outcome);
    }
    return found;
  }

  /** Record a sighting; returns the ledger row id. `now` is epoch seconds (injected clock). */
  record(entry: InputEntry, now: number): number {
    const row = this.#upsert.get({ ...entry, now });
    if (row === undefined) throw new Error('ledger upsert returned no row');
    return row.id;
  }
}
