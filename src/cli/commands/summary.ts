/**
 * `ruaflow summary`: what happened to our mail in a period, per policy domain — printed, written
 * to a file (`--out`), or mailed (`--send`; the daemon's `[schedule] summary` is in
 * src/app/scheduler.ts). Exit codes: 0 ok (also when an empty summary was not sent); 2 usage or
 * configuration (no [smtp], no recipients); 1 when a message could not be sent.
 */
import { liveSummaryDeps, loadAppConfig, mailSummaryDeps, openApp, usingApp } from '../../app/deps.js';
import { parseSummaryPeriod } from '../../report/period.js';
import { liveSummary } from '../../jobs/summary.js';
import { mailSummary, requireMail } from '../../jobs/summary-mail.js';
import { writeFileOrFail } from '../../platform/fs-errors.js';
import { holdSignals } from '../../platform/hold-signals.js';
import { systemClock } from '../../ports/clock.js';
import { EXIT } from '../exit.js';
import { normalizeDomain, type CommonOptions } from '../options.js';
import { describeSummarySent, SUMMARY_RENDERERS, summaryOutputFormat } from '../summary-output.js';

export interface SummaryOptions extends CommonOptions {
  readonly domain?: readonly string[];
  readonly period?: string;
  readonly format?: string;
  readonly offline?: boolean;
  readonly out?: string;
  readonly send?: boolean;
}

export async function run(values: SummaryOptions): Promise<number> {
  const render = SUMMARY_RENDERERS[summaryOutputFormat(values)];
  const config = await loadAppConfig(values);
  const now = systemClock.now();
  const period = parseSummaryPeriod(values.period ?? 'last-week', now);
  if (values.send === true) requireMail(config);
  const domains = values.domain === undefined ? null : [...new Set(values.domain.map(normalizeDomain))];

  return usingApp(openApp(config, values.db, 'read'), async (app) => {
    const summary = await liveSummary(liveSummaryDeps(app, values.offline === true), { period, domains, now });
    if (values.out !== undefined) writeFileOrFail(values.out, render(summary), `summary --out ${values.out}`);
    if (values.send !== true) {
      if (values.out === undefined) process.stdout.write(render(summary));
      return EXIT.ok;
    }
    // Stopped while the summary is being built, nothing is sent; once mailing has begun, SIGTERM
    // and Ctrl-C wait for it to end, so the summary reaches every recipient or none.
    const results = await holdSignals(
      () => mailSummary(summary, mailSummaryDeps(config), systemClock.now()),
      (signal) => process.stderr.write(`ruaflow: ${signal}: sending the rest of the summary first\n`),
    );
    for (const r of results) process.stdout.write(`${describeSummarySent(r)}\n`);
    return results.every((r) => r.outcome.kind === 'sent' || r.outcome.kind === 'skipped') ? EXIT.ok : EXIT.failed;
  });
}
