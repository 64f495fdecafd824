/**
 * Opening the SQLite database: one file, WAL so that a reader (`ruaflow reports`, a summary) can
 * query while a writer ingests, foreign keys on, migrations applied on open.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { DatabaseError, RuaflowError } from '../errors.js';
import { loadMigrations, migrate } from './migrate.js';
import { SQLITE_BUSY_TIMEOUT_MS as BUSY_TIMEOUT_MS } from '../limits.js';

export type { Database };

export function openDatabase(path: string): Database {
  let db: Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new BetterSqlite3(path);
  } catch (error) {
    throw new DatabaseError(`${path}: cannot open the database: ${(error as Error).message}`, { cause: error });
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL: a commit survives a process crash (what kill -9 does) and fsyncs only at
    // checkpoints; a power loss may drop the last commits but never corrupts the file.
    db.pragma('synchronous = NORMAL');
    migrate(db, loadMigrations(), path);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof RuaflowError) throw error;
    throw new DatabaseError(`${path}: ${(error as Error).message}`, { cause: error });
  }
}
