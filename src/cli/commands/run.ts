/**
 * `ruaflow run` (what `npm start` does): the configured job, then a short overview per domain
 * (src/app/run-plan.ts): poll the rua mailbox when [imap] is configured, ingest the folder
 * `--inbox` names; with nothing configured at all, the demo reports shipped in reports/inbox, so
 * a newcomer sees ruaflow work with no server. A configuration with neither is exit 2.
 */
import { ingestDeps, loadAppConfig, openApp, requireSoundDatabase, usingApp } from '../../app/deps.js';
import { planRun } from '../../app/run-plan.js';
import { renderOverview } from '../../deliver/overview-text.js';
import type { IngestTotals } from '../../jobs/ingest-paths.js';
import type { PollTotals } from '../../jobs/poll.js';
import { DEMO_INBOX, runInbox, runOverview } from '../../jobs/run.js';
import { createLogger } from '../../platform/logger.js';
import { EXIT } from '../exit.js';
import { renderTotals, totalsJson } from '../ingest-output.js';
import { requireExistingPaths, type CommonOptions } from '../options.js';
import { pollOnce } from '../poll-once.js';
import { pollJson, renderPoll } from '../poll-output.js';
import { ingestProgress } from '../progress.js';
import { overviewJson } from '../run-output.js';

export interface RunOptions extends CommonOptions {
  readonly inbox?: string;
}

export async function run(values: RunOptions): Promise<number> {
  if (values.inbox !== undefined) requireExistingPaths('run', '--inbox ', [values.inbox]);
  const config = await loadAppConfig(values);
  const plan = planRun(config, process.env, values.inbox, DEMO_INBOX);
  const quiet = values.quiet === true;
  const log = createLogger({ quiet });
  return usingApp(openApp(config, values.db), async (app) => {
    let ingested: IngestTotals | null = null;
    let polled: PollTotals | null = null;
    let text = '';
    if (plan.inbox !== null) {
      requireSoundDatabase(app);
      const progress = ingestProgress(quiet);
      ingested = (await runInbox(ingestDeps(app, log), { inbox: plan.inbox }, progress)).totals;
      text += `Ingested ${plan.inbox} into ${app.dbPath}\n${renderTotals(ingested)}`;
    }
    if (plan.imap !== null) {
      polled = await pollOnce(app, plan.imap, log, { quiet });
      text += `Polled ${plan.imap.mailbox} into ${app.dbPath}\n${renderPoll(plan.imap.mailbox, polled)}`;
    }
    const overview = runOverview(app.db);
    if (values.json === true) {
      const json = {
        ...(ingested === null ? {} : { ingest: totalsJson(ingested) }),
        ...(polled === null || plan.imap === null ? {} : { poll: pollJson(plan.imap.mailbox, polled) }),
        domains: overview.map(overviewJson),
      };
      process.stdout.write(`${JSON.stringify(json)}\n`);
    } else {
      process.stdout.write(`${text}\n${renderOverview(overview)}`);
    }
    return (ingested?.invalid ?? 0) + (polled?.invalid ?? 0) > 0 ? EXIT.someInvalid : EXIT.ok;
  });
}
