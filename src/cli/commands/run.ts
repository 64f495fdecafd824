/**
 * `ruaflow run` (what `npm start` does): ingest the inbox and print a short summary per domain.
 * Without IMAP configured the inbox is the demo folder shipped in reports/inbox, so a newcomer
 * sees ruaflow work with no server at all.
 */
import { ingestDeps, loadAppConfig, openApp, requireSoundDatabase, usingApp } from '../../app/deps.js';
import { renderOverview } from '../../deliver/overview-text.js';
import { runInbox } from '../../jobs/run.js';
import { createLogger } from '../../platform/logger.js';
import { EXIT } from '../exit.js';
import { renderTotals, totalsJson } from '../ingest-output.js';
import { requireExistingPaths, type CommonOptions } from '../options.js';
import { progressFor } from '../progress.js';
import { overviewJson } from '../run-output.js';

export interface RunOptions extends CommonOptions {
  readonly inbox?: string;
}

export async function run(values: RunOptions): Promise<number> {
  if (values.inbox !== undefined) requireExistingPaths('run', '--inbox ', [values.inbox]);
  return usingApp(openApp(await loadAppConfig(values), values.db), async (app) => {
    requireSoundDatabase(app);
    const progress = values.quiet === true || process.stderr.isTTY !== true ? {} : { progressFor: progressFor('ingest') };
    const { inbox, totals, overview } = await runInbox(ingestDeps(app, createLogger({ quiet: values.quiet === true })), { inbox: values.inbox }, progress);
    if (values.json === true) {
      process.stdout.write(`${JSON.stringify({ ingest: totalsJson(totals), domains: overview.map(overviewJson) })}\n`);
    } else {
      process.stdout.write(`Ingested ${inbox} into ${app.dbPath}\n${renderTotals(totals)}\n${renderOverview(overview)}`);
    }
    return totals.invalid > 0 ? EXIT.someInvalid : EXIT.ok;
  });
}
