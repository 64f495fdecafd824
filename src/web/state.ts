/**
 * What every route shares, built once by src/web/server.ts: the open database and the one way
 * to get numbers — the summary job of `ruaflow summary --offline` (src/jobs/summary.ts), so a
 * page and `summary --format json` can never disagree.
 */
import type { Summary } from '../analyze/summary/types.js';
import type { Period } from '../report/period.js';
import type { Health } from '../jobs/health.js';

export interface WebState {
  /** Epoch seconds: today's date decides what `30d` means. */
  now(): number;
  /** The summary of `period` (null: all) for `domains` (null: every domain), offline (no DNS). */
  summary(period: Period | null, domains: readonly string[] | null): Promise<Summary>;
  health(): Health;
}
