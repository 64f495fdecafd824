/** `ruaflow send-reports [--period yesterday|DATE] [--dry-run] [--out DIR]`: outbound aggregate reports. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../../app/config.js';
import { dnsResolver, loadAppConfig, openApp, type AppDeps } from '../../app/deps.js';
import { loadSigningKeys } from '../../app/signing-keys.js';
import { ConfigError, IoError, UsageError } from '../../errors.js';
import { buildReports, deliverDue, type BuildTotals, type DeliveryTotals, type Reporter } from '../../jobs/send-reports.js';
import { fromDomain } from '../../mail/from-address.js';
import { describeFsError, writeFileOrFail } from '../../platform/fs-errors.js';
import { acquireLock } from '../../platform/lock.js';
import { createLogger } from '../../platform/logger.js';
import { systemClock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import { parseReportDay, type Period } from '../../report/period.js';
import { EvaluationHistory, EvaluationReader } from '../../store/evaluations-read.js';
import { OutboundStore } from '../../store/outbound.js';
import { EXIT } from '../exit.js';
import { parseCommand } from '../options.js';
import { sleep } from '../../platform/sleep.js';
import { ruaflowVersion } from '../../app/version.js';

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommand(
    'send-reports',
    argv,
    { period: { type: 'string', default: 'yesterday' }, 'dry-run': { type: 'boolean', default: false }, out: { type: 'string' } },
    { min: 0, max: 0, name: '' },
  );
  const dryRun = values['dry-run'];
  if (values.out !== undefined && !dryRun) {
    throw new UsageError('send-reports: --out goes with --dry-run (sent reports are archived in [outbound] archive_dir)');
  }
  const period = parseReportDay(values.period, systemClock.now());
  if (period === null) {
    throw new UsageError(`send-reports: --period: expected "yesterday" or a day that has ended, as YYYY-MM-DD (got "${values.period}")`);
  }
  const config = await loadAppConfig(values);
  const reporter = requireReporter(config);
  const sign = dryRun ? null : requireSigning(config, reporter);
  if (sign !== null) requireSmtp(config);
  const app = openApp(config, values.db);
  const log = createLogger({ quiet: values.quiet });
  const lock = acquireLock(sendLockPath(app.dbPath), `sending reports from ${app.dbPath}`);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    const outDir = resolve(values.out ?? join(config.outbound.archiveDir, 'dry-run'));
    const result = await sendReportsOnce(app, reporter, log, { period, signal: stop.signal, ...(sign === null ? { dryRun: true, outDir } : { dryRun: false, sign }) });
    process.stdout.write(values.json ? `${JSON.stringify(sendReportsJson(result))}\n` : renderSendReports(result));
    if (result.deliveries?.relayUnreachable != null) {
      log.error('relay unreachable; the rest is sent by the next run', { error: result.deliveries.relayUnreachable });
      return EXIT.failed;
    }
    const d = result.deliveries;
    return d !== null && d.rejected + d.unauthorized + d.tooBig + d.expired > 0 ? EXIT.someInvalid : EXIT.ok;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    lock.release();
    app.close();
  }
}

export interface SendReportsResult {
  readonly period: Period;
  readonly dryRun: boolean;
  readonly outDir: string | null;
  readonly build: BuildTotals;
  /** null in a dry run. */
  readonly deliveries: DeliveryTotals | null;
}

export type Signer = (raw: Buffer) => Promise<Buffer>;

/** Build one day's reports, then deliver what is due: shared with the daemon. */
async function sendReportsOnce(
  app: AppDeps,
  reporter: Reporter,
  log: Logger,
  // A dry run writes to outDir; a real run signs (the caller has checked the key once).
  options: { period: Period; signal?: AbortSignal; build?: boolean } & ({ dryRun: true; outDir: string } | { dryRun: false; sign: Signer }),
): Promise<SendReportsResult> {
  const { config } = app;
  const common = { reporter, settings: config.outbound, clock: app.clock, log, generator: generatorName() };
  const history = new EvaluationHistory(app.db);
  const readAndBuild = async (outbound: OutboundStore | null, write?: (filename: string, payload: Uint8Array) => void): Promise<BuildTotals> => {
    const evaluations = EvaluationReader.open(app.dbPath);
    try {
      return await buildReports({ ...common, evaluations, history, outbound, ...(write !== undefined ? { write } : {}) }, options.period, options.signal);
    } finally {
      evaluations.close();
    }
  };
  if (options.dryRun) {
    makeDir(options.outDir);
    const build = await readAndBuild(null, (filename, payload) => writeFileOrFail(join(options.outDir, filename), payload));
    return { period: options.period, dryRun: true, outDir: options.outDir, build, deliveries: null };
  }
  const outbound = new OutboundStore(app.db);
  const build = options.build === false ? { built: [], alreadyBuilt: 0, skipped: [], ignoredUris: [], evaluations: 0, noRua: 0 } : await readAndBuild(outbound);
  const archiveDir = config.outbound.archiveDir;
  makeDir(archiveDir);
  // Loaded only to send: a --dry-run never needs nodemailer.
  const { createSmtpTransport } = await import('../../platform/smtp-transport.js');
  const transport = createSmtpTransport(requireSmtp(config), { name: reporter.domain });
  try {
    const deliveries = await deliverDue(
      {
        ...common,
        outbound,
        resolver: dnsResolver(config),
        transport,
        sign: options.sign,
        archive: (filename, payload) => {
          const path = join(archiveDir, filename);
          try {
            if (!existsSync(path)) writeFileSync(path, payload);
          } catch (error) {
            // The report is sent and recorded; a missing archive copy is worth a warning, not a resend.
            log.warn('archive failed', { path, error: describeFsError(error) });
          }
        },
        sleep,
      },
      options.signal,
    );
    return { period: options.period, dryRun: false, outDir: null, build, deliveries };
  } finally {
    await transport.close();
  }
}

/**
 * The daemon's runs (`[schedule] send_reports`, and a retry pass every 15 minutes that only
 * delivers what is due): yesterday's reports, under the same lock as `ruaflow send-reports`, so a
 * cron job and the daemon never send at the same time. Logs instead of printing.
 */
export async function scheduledSendReports(app: AppDeps, log: Logger, options: { build: boolean; signal: AbortSignal }): Promise<void> {
  const reporter = requireReporter(app.config);
  const sign = requireSigning(app.config, reporter);
  const period = parseReportDay('yesterday', app.clock.now());
  if (period === null) return;
  const lock = acquireLock(sendLockPath(app.dbPath), `sending reports from ${app.dbPath}`);
  try {
    const started = performance.now();
    const r = await sendReportsOnce(app, reporter, log, { period, dryRun: false, sign, signal: options.signal, build: options.build });
    const d = r.deliveries;
    if (options.build || (d !== null && d.sent + d.deferred + d.rejected + d.expired > 0)) {
      log.info('send-reports', {
        day: period.label,
        built: r.build.built.length,
        skipped: r.build.skipped.length,
        sent: d?.sent,
        deferred: d?.deferred,
        rejected: d?.rejected,
        left_for_next_run: d?.leftForNextRun,
        relay_unreachable: d?.relayUnreachable ?? undefined,
        ms: Math.round(performance.now() - started),
      });
    }
  } finally {
    lock.release();
  }
}

export const sendLockPath = (dbPath: string): string => `${dbPath}.send-reports.lock`;

export function requireReporter(config: Config): Reporter {
  const r = config.reporter;
  if (r.orgName === null || r.email === null || r.domain === null) {
    throw new ConfigError(
      `${config.file ?? 'configuration'}: [reporter] org_name, email and domain are required to send aggregate reports, e.g. [reporter] org_name = "Example Ltd", email = "dmarc-reports@example.com", domain = "example.com"`,
    );
  }
  return { orgName: r.orgName, email: r.email, domain: r.domain, extraContactInfo: r.extraContactInfo, format: r.format };
}

function requireSmtp(config: Config) {
  if (config.smtp === null) {
    throw new ConfigError(`${config.file ?? 'configuration'}: [smtp] host and from are required to send reports (or run with --dry-run)`);
  }
  return config.smtp;
}

/** Reports MUST pass DMARC themselves (RFC 7489 §7.2.1.1): sign with our key for the From domain. */
export function requireSigning(config: Config, reporter: Reporter): Signer {
  const domain = fromDomain(reporter.email);
  const key = loadSigningKeys(config).forDomain(domain)[0];
  if (key === undefined) {
    throw new ConfigError(
      `${config.file ?? 'configuration'}: no DKIM signing key for ${domain} ([reporter] email): reports must be DKIM-signed; add [[domains]] name = "${domain}" with dkim_keys_dir or keys`,
    );
  }
  return async (raw) => {
    // Loaded when a report is signed, not at start: a --dry-run never needs mailauth's signer.
    const { signMessage } = await import('../../mail/dkim-sign.js');
    const signed = await signMessage(raw, key, new Date());
    if (signed.error !== null) throw new ConfigError(`DKIM signing with ${key.selector}._domainkey.${key.signingDomain} failed: ${signed.error}`);
    return signed.raw;
  };
}

function generatorName(): string {
  return `ruaflow ${ruaflowVersion()}`;
}

function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new IoError(`${dir}: cannot create the folder: ${describeFsError(error)}`, { cause: error });
  }
}



/** The stable `--json` shape (README "send-reports --json"). */
function sendReportsJson(r: SendReportsResult) {
  const d = r.deliveries;
  return {
    period: r.period.label,
    begin: r.period.begin,
    end: r.period.end - 1,
    dry_run: r.dryRun,
    out: r.outDir,
    evaluations: r.build.evaluations,
    built: r.build.built.length,
    already_built: r.build.alreadyBuilt,
    no_rua: r.build.noRua,
    skipped: r.build.skipped.map((s) => ({ policy_domain: s.policyDomain, reason: s.reason })),
    ignored_uris: r.build.ignoredUris.map((i) => ({ policy_domain: i.policyDomain, uri: i.uri, reason: i.reason })),
    reports: r.build.built.map((b) => ({
      policy_domain: b.policyDomain,
      report_id: b.reportId,
      filename: b.filename,
      records: b.records,
      messages: b.messages,
      destinations: b.destinations,
    })),
    deliveries:
      d === null
        ? null
        : {
            sent: d.sent,
            deferred: d.deferred,
            rejected: d.rejected,
            suppressed: d.suppressed,
            unauthorized: d.unauthorized,
            too_big: d.tooBig,
            expired: d.expired,
            left_for_next_run: d.leftForNextRun,
          },
    relay_unreachable: d?.relayUnreachable ?? null,
  };
}

function renderSendReports(r: SendReportsResult): string {
  const b = r.build;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const lines = [
    `${r.period.label}: ${plural(b.evaluations, 'evaluation')}; ${plural(b.built.length, 'report')} built${r.dryRun ? ` into ${r.outDir ?? ''}` : ''}, ` +
      `${b.skipped.length} skipped, ${b.alreadyBuilt} built before, ${b.noRua} without rua`,
  ];
  for (const s of b.skipped) lines.push(`  skipped ${s.policyDomain}: ${s.reason}`);
  for (const i of b.ignoredUris) lines.push(`  ignored ${i.uri} (${i.policyDomain}): ${i.reason}`);
  const d = r.deliveries;
  if (d !== null) {
    lines.push(
      `deliveries: ${d.sent} sent, ${d.deferred} deferred, ${d.rejected} rejected, ${d.suppressed} suppressed, ` +
        `${d.unauthorized} not authorised, ${d.tooBig} too big, ${d.expired} given up; ${d.leftForNextRun} left for the next run`,
    );
  }
  return `${lines.join('\n')}\n`;
}
