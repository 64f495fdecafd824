/** `ruaflow ingest PATH…` */
import { ingestDeps, loadAppConfig, openApp, requireSoundDatabase, usingApp } from '../../app/deps.js';
import { ingestFiles } from '../../jobs/ingest.js';
import { createLogger } from '../../platform/logger.js';
import { EXIT } from '../exit.js';
import { renderTotals, totalsJson } from '../ingest-output.js';
import { requireExistingPaths, type CommonOptions } from '../options.js';
import { ingestProgress } from '../progress.js';

export async function run(values: CommonOptions, paths: readonly string[]): Promise<number> {
  requireExistingPaths('ingest', '', paths);
  const config = await loadAppConfig(values);
  return usingApp(openApp(config, values.db), async (app) => {
    requireSoundDatabase(app);
    const totals = await ingestFiles(ingestDeps(app, createLogger({ quiet: values.quiet === true })), paths, ingestProgress(values.quiet === true));
    process.stdout.write(values.json === true ? `${JSON.stringify(totalsJson(totals))}\n` : renderTotals(totals));
    return totals.invalid > 0 ? EXIT.someInvalid : EXIT.ok;
  });
}

