/** What `ruaflow db check` prints: the stable `--json` shape (docs/json-output.md "db check")
 * and the text. */
import { recoveryFor } from '../errors.js';
import type { DbCheckResult } from '../jobs/db-check.js';

export function dbCheckJson(path: string, r: DbCheckResult) {
  return { database: path, check: r.check, ok: r.ok, problems: r.problems };
}

/** `PATH: ok (integrity_check)`, or each problem on a line, then what it means and what to do. */
export function renderDbCheck(path: string, r: DbCheckResult): string {
  if (r.ok) return `${path}: ok (${r.check})\n`;
  const n = r.problems.length;
  return `${r.problems.join('\n')}\n${path}: damaged (${r.check}: ${n} problem${n === 1 ? '' : 's'}); ${recoveryFor(path)}\n`;
}
