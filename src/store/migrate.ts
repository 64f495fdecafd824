/**
 * Forward-only numbered migrations: schema/sql/NNN_name.sql, applied in order, each
 * in its own transaction, the schema version kept in SQLite's user_version. A database whose
 * version is newer than the newest migration we ship was written by a newer ruaflow: refuse it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database } from 'better-sqlite3';
import { DatabaseTooNewError } from '../errors.js';

/** schema/sql beside src/ and dist/ alike. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../schema/sql/', import.meta.url));

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f, i) => {
      const version = Number.parseInt(f.slice(0, 3), 10);
      if (version !== i + 1) throw new Error(`migration ${f}: expected number ${String(i + 1).padStart(3, '0')}`);
      return { version, name: f, sql: readFileSync(`${dir}/${f}`, 'utf8') };
    });
}

/** Apply what is missing; returns the versions applied. */
export function migrate(db: Database, migrations: readonly Migration[], label: string): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new DatabaseTooNewError(
      `${label}: database schema version ${current} is newer than this ruaflow knows (${latest}); upgrade ruaflow`,
    );
  }
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
    applied.push(m.version);
  }
  return applied;
}
