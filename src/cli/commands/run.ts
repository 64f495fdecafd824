/**
 * `ruaflow run` (what `npm start` does): ingest the inbox and print a short summary per domain.
 * Without IMAP configured the inbox is the demo folder shipped in reports/inbox, so a newcomer
 * sees ruaflow work with no server at all.
 */
import { fileURLToPath } from 'node:url';
import { ingestDeps, loadAppConfig, openApp } from '../../app/deps.js';
import { renderOverview } from '../../deliver/overview-text.js';
import { ingestFiles } from '../../jobs/ingest.js';
import { createLogger } from '../../platform/logger.js';
import { domainOverview } from '../../store/report-list.js';
import { EXIT } from '../exit.js';
import { renderTotals, totalsJson } from '../ingest-output.js';
import type { CommonOptions } from '../options.js';
import { progressFor } from '../progress.js';

export const DEMO_INBOX = fileURLToPath(new URL('../../../reports/inbox/', import.meta.url));

export interface RunOptions extends CommonOptions {
  readonly inbox?: string;
}

export async function run(values: RunOptions): Promise<number> {
  const app = openApp(await loadAppConfig(values), values.db);
  try {
    const inbox = values.inbox ?? DEMO_INBOX;
    const progress = values.quiet === true || process.stderr.isTTY !== true ? {} : { progressFor: progressFor('ingest') };
    const totals = await ingestFiles(ingestDeps(app, createLogger({ quiet: values.quiet === true })), [inbox], progress);
    const overview = domainOverview(app.db);
    if (values.json === true) {
      process.stdout.write(`${JSON.stringify({ ingest: totalsJson(totals), domains: overview })}\n`);
    } else {
      process.stdout.write(`Ingested ${inbox} into ${app.dbPath}\n${renderTotals(totals)}\n${renderOverview(overview)}`);
    }
    return totals.invalid > 0 ? EXIT.someInvalid : EXIT.ok;
  } finally {
    app.close();
  }
}
