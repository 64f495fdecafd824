/** `ruaflow send-reports [--period yesterday|DATE] [--dry-run] [--out DIR]`: outbound aggregate reports. */
import { join, resolve } from 'node:path';
import { damaged, loadAppConfig, openApp, sendReportsDeps } from '../../app/deps.js';
import { loadSigningKeys } from '../../app/signing-keys.js';
import { UsageError } from '../../errors.js';
import { requireReporter, requireSigning, requireSmtp, sendLockPath, sendReportsOnce } from '../../jobs/send-reports-pass.js';
import { acquireLock } from '../../platform/lock.js';
import { createLogger } from '../../platform/logger.js';
import { systemClock } from '../../ports/clock.js';
import { parseReportDay } from '../../report/period.js';
import { EXIT } from '../exit.js';
import type { CommonOptions } from '../options.js';
import { renderSendReports, sendReportsJson } from '../send-reports-output.js';
import { whileNotStopped } from '../stop-signals.js';

export interface SendReportsOptions extends CommonOptions {
  readonly period?: string;
  readonly dryRun?: boolean;
  readonly out?: string;
}

export async function run(values: SendReportsOptions): Promise<number> {
  const dryRun = values.dryRun === true;
  if (values.out !== undefined && !dryRun) {
    throw new UsageError('send-reports: --out goes with --dry-run (sent reports are archived in [outbound] archive_dir)');
  }
  const period = parseReportDay(values.period ?? 'yesterday', systemClock.now());
  if (period === null) {
    throw new UsageError(`send-reports: --period: expected "yesterday" or a day that has ended, as YYYY-MM-DD (got "${values.period ?? 'yesterday'}")`);
  }
  const config = await loadAppConfig(values);
  const reporter = requireReporter(config);
  const sign = dryRun ? null : requireSigning(config, reporter, loadSigningKeys(config));
  if (sign !== null) requireSmtp(config);
  const app = openApp(config, values.db);
  const log = createLogger({ quiet: values.quiet === true });
  const lock = acquireLock(sendLockPath(app.dbPath), `sending reports from ${app.dbPath}`);
  try {
    const outDir = resolve(values.out ?? join(config.outbound.archiveDir, 'dry-run'));
    const mode = sign === null ? ({ dryRun: true, outDir } as const) : ({ dryRun: false, sign } as const);
    const result = await whileNotStopped((signal) => sendReportsOnce(sendReportsDeps(app, log), reporter, { period, signal, ...mode }));
    process.stdout.write(values.json === true ? `${JSON.stringify(sendReportsJson(result))}\n` : renderSendReports(result));
    if (result.deliveries?.relayUnreachable != null) {
      log.error('relay unreachable; the rest is sent by the next run', { error: result.deliveries.relayUnreachable });
      return EXIT.failed;
    }
    const d = result.deliveries;
    return d !== null && d.rejected + d.unauthorized + d.tooBig + d.expired > 0 ? EXIT.someInvalid : EXIT.ok;
  } catch (error) {
    throw damaged(error, app.dbPath);
  } finally {
    lock.release();
    app.close();
  }
}
