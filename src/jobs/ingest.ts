/**
 * The ingest use case (`ruaflow ingest`, `ruaflow run`): files and folders into the store
 * (src/jobs/ingest-paths.ts), committed in groups, then the stored classes brought up to date
 * when there were new reports.
 */
import type { Logger } from '../ports/logger.js';
import { countInputs } from '../sources/files.js';
import { CommitGroup } from '../store/commit-group.js';
import type { Database } from '../store/database.js';
import type { IngestStores } from './ingest-input.js';
import { ingestPaths, type IngestProgress, type IngestTotals } from './ingest-paths.js';

export interface IngestDeps {
  readonly stores: IngestStores & { readonly db: Database };
  readonly log: Logger;
  /** Classes of what is already stored change only with the configuration; `sources` and
   * `summary` notice that themselves. */
  readonly afterNewReports: () => Promise<unknown>;
}

export interface IngestOptions {
  /** A progress display for this many inputs (counted first), or null for none. */
  readonly progressFor?: (inputs: number) => (IngestProgress & { done(): void }) | null;
}

export async function ingestFiles(deps: IngestDeps, paths: readonly string[], options: IngestOptions = {}): Promise<IngestTotals> {
  const progress = options.progressFor === undefined ? null : options.progressFor(await countInputs(paths));
  let totals: IngestTotals;
  try {
    totals = await ingestPaths(paths, deps.stores, new CommitGroup(deps.stores.db), deps.log, progress ?? undefined);
  } finally {
    progress?.done();
  }
  if (totals.new > 0) await deps.afterNewReports();
  return totals;
}
