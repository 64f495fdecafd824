/**
 * What every route shares, built once by src/web/server.ts: the open database (read mode: the
 * file must exist) with the configuration and clock, the one way to get summary numbers — the
 * summary job of `ruaflow summary --offline` (src/jobs/summary.ts), so a page and
 * `summary --format json` can never disagree — and a queue for work that writes.
 *
 * A route builds the ports of the job it calls from `app` with the builders of
 * src/app/deps.ts, as the CLI's commands do; it never queries the store itself.
 */
import type { Summary } from '../analyze/summary/types.js';
import type { AppDeps } from '../app/deps.js';
import type { Period } from '../report/period.js';
import type { Health } from '../jobs/health.js';

export interface WebState {
  /** The open database, configuration and clock of this process. */
  readonly app: AppDeps;
  /** `[web] base_path`: '' or `/ruaflow`. Routes are registered under it by src/web/app.ts;
   * pages link relative to it (src/web/html.ts). */
  readonly basePath: string;
  /** Epoch seconds: today's date decides what `30d` means. */
  now(): number;
  /** The summary of `period` (null: all) for `domains` (null: every domain), offline (no DNS). */
  summary(period: Period | null, domains: readonly string[] | null): Promise<Summary>;
  /** `work`, after every earlier exclusive work has finished: one writer at a time (bringing the
   * stored source classes up to date, an intake) — two at once would only do the same work
   * twice or wait on SQLite's lock. */
  exclusive<T>(work: () => Promise<T> | T): Promise<T>;
  health(): Health;
}
