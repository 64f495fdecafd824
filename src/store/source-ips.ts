/**
 * Source addresses as small integer ids (schema/sql/006_source_ids.sql): every writer of
 * `records` sets `source_id` through this, so summaries can sum by number.
 */
import type { Database, Statement } from 'better-sqlite3';

export class SourceIps {
  readonly #add: Statement<[string]>;
  readonly #find: Statement<[string], { id: number }>;

  constructor(db: Database) {
    this.#add = db.prepare('INSERT INTO source_ips (ip) VALUES (?)');
    this.#find = db.prepare('SELECT id FROM source_ips WHERE ip = ?');
  }

  /** The id of `ip` (records.source_ip as written), given now if it has none yet. Inside the
   * caller's transaction: a rolled-back report takes its new ids with it. */
  idOf(ip: string): number {
    // Most addresses are known already: one lookup, and an insert only for a new one.
    const found = this.#find.get(ip);
    if (found !== undefined) return found.id;
    return Number(this.#add.run(ip).lastInsertRowid);
  }
}
