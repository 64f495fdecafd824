/** When the database last changed hands: the read side of `/health` (src/web/health.ts). */
import type { Database } from 'better-sqlite3';

/** A trivial query that touches the file (SQLite opens lazily), and the time the newest report
 * was stored (epoch seconds), or null when none is. */
export function lastReportStored(db: Database): number | null {
  const row = db.prepare<[], { at: number | null }>('SELECT MAX(stored_at) AS at FROM reports').get();
  return row?.at ?? null;
}
