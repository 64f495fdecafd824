/** The reverse-DNS cache (`ptr_cache`): one row per source IP, shared by sources and summaries. */
import type { Database, Statement } from 'better-sqlite3';

export interface PtrEntry {
  /** Canonical text, as records.source_ip. */
  readonly ip: string;
  /** The PTR name (no trailing dot), or null when the IP has none. */
  readonly name: string | null;
  /** The name's A/AAAA records contain the IP (forward-confirmed). */
  readonly confirmed: boolean;
  /** Epoch seconds. */
  readonly fetchedAt: number;
}

export class PtrCache {
  readonly #get: Statement<[string], { ip: string; name: string | null; confirmed: number; fetched_at: number }>;
  readonly #put: Statement<[string, string | null, number, number]>;
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
    this.#get = db.prepare(
      `SELECT ip, name, confirmed, fetched_at FROM ptr_cache WHERE ip IN (SELECT value FROM json_each(?))`,
    );
    this.#put = db.prepare(
      `INSERT INTO ptr_cache (ip, name, confirmed, fetched_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (ip) DO UPDATE SET name = excluded.name, confirmed = excluded.confirmed, fetched_at = excluded.fetched_at`,
    );
  }

  /** The cached entries of these IPs, whatever their age. */
  get(ips: readonly string[]): Map<string, PtrEntry> {
    const found = new Map<string, PtrEntry>();
    // json_each keeps the statement one and the parameter count fixed, however many IPs.
    for (let i = 0; i < ips.length; i += 5000) {
      for (const row of this.#get.all(JSON.stringify(ips.slice(i, i + 5000)))) {
        found.set(row.ip, { ip: row.ip, name: row.name, confirmed: row.confirmed === 1, fetchedAt: row.fetched_at });
      }
    }
    return found;
  }

  put(entries: readonly PtrEntry[]): void {
    if (entries.length === 0) return;
    this.#db.transaction(() => {
      for (const e of entries) this.#put.run(e.ip, e.name, e.confirmed ? 1 : 0, e.fetchedAt);
    })();
  }
}
