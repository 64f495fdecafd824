/**
 * Opening the SQLite database: one file, WAL so that a reader (`ruaflow reports`, a summary) can
 * query while a writer ingests, foreign keys on, migrations applied on open. Commands that store
 * something create the file (and its folder) when missing; commands that only read do not: a
 * mistyped path would otherwise become an empty database that answers "No reports stored".
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { DatabaseCorruptError, DatabaseError, DatabaseMissingError, RuaflowError } from '../errors.js';
import { damaged } from './integrity.js';
import { loadMigrations, migrate } from './migrate.js';
import { SQLITE_BUSY_TIMEOUT_MS as BUSY_TIMEOUT_MS } from '../limits.js';

export type { Database };

export interface OpenOptions {
  /** false: the file must exist already (a command that only reads); default true. */
  readonly create?: boolean;
}

export function openDatabase(path: string, options: OpenOptions = {}): Database {
  const create = options.create ?? true;
  let db: Database;
  try {
    if (path !== ':memory:' && create) mkdirSync(dirname(path), { recursive: true });
    // fileMustExist: SQLite's own open without SQLITE_OPEN_CREATE, so nothing is made even when
    // the file vanishes between a check and the open.
    db = new BetterSqlite3(path, { fileMustExist: !create });
  } catch (error) {
    if (!create && !existsSync(path)) {
      throw new DatabaseMissingError(
        `${path}: no such database; check --db, RUAFLOW_DB or [database] path, or store reports first with ruaflow ingest, poll or run`,
        { cause: error },
      );
    }
    const found = damaged(error, path);
    if (found instanceof DatabaseCorruptError) throw found;
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
    // Before the RuaflowError pass-through: a migration's DatabaseError may carry SQLite's
    // corruption error as its cause.
    const found = damaged(error, path);
    if (found instanceof DatabaseCorruptError) throw found;
    if (error instanceof RuaflowError) throw error;
    throw new DatabaseError(`${path}: ${(error as Error).message}`, { cause: error });
  }
}
