/**
 * `ruaflow run` (what `npm start` does): ingest a folder (the demo folder shipped in
 * reports/inbox when nothing is configured; src/app/run-plan.ts decides), and the short overview
 * per domain printed after it (and after a poll).
 */
import { fileURLToPath } from 'node:url';
import type { DomainOverview } from '../store/report-list.js';
import { domainOverview } from '../store/report-list.js';
import { ingestFiles, type IngestDeps, type IngestOptions } from './ingest.js';
import type { IngestTotals } from './ingest-paths.js';

/** The demo reports shipped with the package (reports/inbox beside src/ and dist/). */
export const DEMO_INBOX = fileURLToPath(new URL('../../reports/inbox/', import.meta.url));

export interface RunResult {
  /** The folder ingested. */
  readonly inbox: string;
  readonly totals: IngestTotals;
  readonly overview: DomainOverview[];
}

export async function runInbox(deps: IngestDeps, request: { readonly inbox?: string | undefined }, options: IngestOptions = {}): Promise<RunResult> {
  const inbox = request.inbox ?? DEMO_INBOX;
  const totals = await ingestFiles(deps, [inbox], options);
  return { inbox, totals, overview: domainOverview(deps.stores.db) };
}

/** The overview per domain of everything stored. */
export function runOverview(db: IngestDeps['stores']['db']): DomainOverview[] {
  return domainOverview(db);
}
