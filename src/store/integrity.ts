/**
 * Is the database file sound? SQLite's own checks (https://sqlite.org/pragma.html#pragma_integrity_check):
 * `integrity_check` walks every b-tree and compares each index with its table; `quick_check`
 * skips that comparison and is much faster (it still reads every page). And the errors by which
 * SQLite says, in the middle of any query, that a page it read is damaged.
 */
import { DatabaseCorruptError } from '../errors.js';
import { DB_CHECK_MAX_PROBLEMS } from '../limits.js';
import type { Database } from 'better-sqlite3';

export type IntegrityCheck = 'integrity_check' | 'quick_check';

/** The problems SQLite lists (at most DB_CHECK_MAX_PROBLEMS); [] when the file is sound. When a
 * page is so damaged that the check itself cannot go on, SQLite lists what it found so far and
 * then fails with SQLITE_CORRUPT: that failure is the last problem. */
export function integrityProblems(db: Database, check: IntegrityCheck): string[] {
  const problems: string[] = [];
  try {
    for (const row of db.prepare(`PRAGMA ${check}(${DB_CHECK_MAX_PROBLEMS})`).raw().iterate() as Iterable<unknown[]>) {
      // One row may hold several problems, a line each, under a `*** in database main ***`
      // heading (SQLite's integrity_check output for damaged b-tree pages).
      problems.push(...String(row[0]).split('\n').filter((line) => line !== '' && !/^\*\*\* in database \w+ \*\*\*$/.test(line)));
    }
  } catch (error) {
    const damage = corruptionOf(error);
    if (damage === null) throw error;
    problems.push(damage);
  }
  return problems.length === 1 && problems[0] === 'ok' ? [] : problems;
}

/** SQLite's words when an error (or one of its causes) says the file is damaged: the result
 * codes SQLITE_CORRUPT (with its extended forms, SQLITE_CORRUPT_INDEX …) and SQLITE_NOTADB
 * (https://sqlite.org/rescode.html#corrupt); null for any other error. */
export function corruptionOf(error: unknown): string | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT_'))) {
      return `SQLite: ${e.message}`;
    }
  }
  return null;
}

/** The error as it should reach the user: a DatabaseCorruptError when SQLite said the file at
 * `dbPath` is damaged, else unchanged. */
export function damaged(error: unknown, dbPath: string): unknown {
  if (error instanceof DatabaseCorruptError) return error;
  const damage = corruptionOf(error);
  return damage === null ? error : new DatabaseCorruptError(dbPath, damage, { cause: error });
}
