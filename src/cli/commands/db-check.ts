/** `ruaflow db check [--quick]`: SQLite's integrity check of the database file; exit 0 when it is
 * sound, 6 when it is damaged (docs/json-output.md#exit-codes). Reads only: a database that does
 * not exist is an error naming it. */
import { loadAppConfig, openApp, usingApp } from '../../app/deps.js';
import { checkDatabase } from '../../jobs/db-check.js';
import { dbCheckJson, renderDbCheck } from '../db-check-output.js';
import { EXIT } from '../exit.js';
import type { CommonOptions } from '../options.js';

export interface DbCheckOptions extends CommonOptions {
  readonly quick?: boolean;
}

export async function run(values: DbCheckOptions): Promise<number> {
  const app = openApp(await loadAppConfig(values), values.db, 'read');
  return usingApp(app, ({ db, dbPath }) => {
    const result = checkDatabase(db, { quick: values.quick === true });
    process.stdout.write(values.json === true ? `${JSON.stringify(dbCheckJson(dbPath, result))}\n` : renderDbCheck(dbPath, result));
    return result.ok ? EXIT.ok : EXIT.corrupt;
  });
}
