/**
 * Source addresses as small integer ids (schema/sql/006_source_ids.sql): every writer of
 * `records` sets `source_id` through this, so summaries can sum by number.
 */
import type { Database, Statement } from 'better-sqlite3';

export class SourceIps {
  readonly #add: Statement<[string]>;
  readonly #find: Statement<[string], { id: number }>;

  constructor(db: Database) {
    this.#add = db.prepare('INSERT OR IGNORE INTO source_ips (ip) VALUES (?)');
    this.#find = db.prepare('SELECT id FROM source_ips WHERE ip = ?');
  }

  /** The id of `ip` (records.source_ip as written), given now if it has none yet. Inside the
   * caller's transaction: a rolled-back report takes its new ids with it. */
  idOf(ip: string): number {
    const added = this.#add.run(ip);
    if (added.changes === 1) return Number(added.lastInsertRowid);
    const found = this.#find.get(ip);
    if (found === undefined) throw new Error(`source_ips: no id for ${ip}`);
    return found.id;
  }
}
