/** `ruaflow ingest PATH…` */
import { loadAppConfig, openApp } from '../../app/deps.js';
import { refreshClassesOffline } from '../../jobs/classify-stored.js';
import { loadSigningIdentities } from '../../app/signing-keys.js';
import { createLogger } from '../../platform/logger.js';
import { countInputs } from '../../sources/files.js';
import { ingestPaths, type IngestTotals } from '../../jobs/ingest-paths.js';
import { CommitGroup } from '../../store/commit-group.js';
import { EXIT } from '../exit.js';
import type { CommonOptions } from '../options.js';
import { createProgress } from '../progress.js';

/** Below this many inputs a progress bar is only flicker. */
const PROGRESS_THRESHOLD = 20;

export async function run(values: CommonOptions, positionals: readonly string[]): Promise<number> {
  const config = await loadAppConfig(values);
  const app = openApp(config, values.db);
  try {
    const totals = await ingestWithProgress(positionals, app, values.quiet === true);
    process.stdout.write(values.json ? `${JSON.stringify(totalsJson(totals))}\n` : renderTotals(totals));
    return totals.invalid > 0 ? EXIT.someInvalid : EXIT.ok;
  } finally {
    app.close();
  }
}

export async function ingestWithProgress(paths: readonly string[], app: ReturnType<typeof openApp>, quiet: boolean): Promise<IngestTotals> {
  const log = createLogger({ quiet });
  const total = quiet || process.stderr.isTTY !== true ? 0 : await countInputs(paths);
  const progress = total >= PROGRESS_THRESHOLD ? createProgress({ total, label: 'ingest' }) : null;
  let totals: IngestTotals;
  try {
    totals = await ingestPaths(paths, app, new CommitGroup(app.db), log, progress ?? undefined);
  } finally {
    progress?.done();
  }
  // Classes of what is already stored change only with the configuration; `sources` and
  // `summary` notice that themselves.
  if (totals.new > 0) await refreshClassesOffline(app.db, app.config, () => loadSigningIdentities(app.config), app.clock, log);
  return totals;
}

/** The stable `--json` shape (README "ingest --json"). */
export function totalsJson(t: IngestTotals) {
  return {
    new: t.new,
    duplicate: t.duplicate,
    invalid: t.invalid,
    not_aggregate: t.notAggregate,
    inputs: t.inputs,
    invalid_inputs: t.invalidInputs.map((r) => ({ path: r.path, reason: r.reason })),
  };
}

export function renderTotals(t: IngestTotals): string {
  const parts = [
    `${t.new} new report${t.new === 1 ? '' : 's'}`,
    `${t.duplicate} duplicate${t.duplicate === 1 ? '' : 's'}`,
    `${t.invalid} invalid`,
    `${t.notAggregate} not aggregate report${t.notAggregate === 1 ? '' : 's'}`,
  ];
  return `${t.inputs} input${t.inputs === 1 ? '' : 's'}: ${parts.join(', ')}\n`;
}
