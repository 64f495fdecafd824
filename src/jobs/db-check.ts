/** `ruaflow db check [--quick]` and the daemon's daily check: is the database file sound? */
import type { Database } from '../store/database.js';
import { integrityProblems, type IntegrityCheck } from '../store/integrity.js';

export interface DbCheckResult {
  readonly check: IntegrityCheck;
  readonly ok: boolean;
  /** What SQLite found, in its words (at most [limits] DB_CHECK_MAX_PROBLEMS); [] when ok. */
  readonly problems: readonly string[];
}

/** `quick`: SQLite's quick_check (every page read, indexes not compared with their tables);
 * else integrity_check, the full one. */
export function checkDatabase(db: Database, request: { readonly quick: boolean }): DbCheckResult {
  const check: IntegrityCheck = request.quick ? 'quick_check' : 'integrity_check';
  const problems = integrityProblems(db, check);
  return { check, ok: problems.length === 0, problems };
}
