/**
 * One run of outbound aggregate reports: build one day's reports from the recorded evaluations,
 * then deliver what is due (src/jobs/send-reports.ts does each half). `ruaflow send-reports` runs
 * it once; the daemon on `[schedule] send_reports`, and every 15 minutes a pass that only delivers.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config, SmtpConfig } from '../types/config.js';
import type { SigningKeys } from '../types/signing-keys.js';
import { ConfigError, IoError } from '../errors.js';
import { fromDomain } from '../mail/from-address.js';
import { describeFsError, writeFileOrFail } from '../platform/fs-errors.js';
import { acquireLock } from '../platform/lock.js';
import { sleep } from '../platform/sleep.js';
import type { Clock } from '../ports/clock.js';
import type { DnsResolver } from '../ports/dns.js';
import type { Logger } from '../ports/logger.js';
import { parseReportDay, type Period } from '../report/period.js';
import type { Database } from '../store/database.js';
import { EvaluationHistory, EvaluationReader } from '../store/evaluations-read.js';
import { OutboundStore } from '../store/outbound.js';
import { buildReports, emptyBuildTotals, checkBuiltDestinations, deliverDue, type BuildTotals, type DeliveryTotals, type DestinationNotes, type Reporter } from './send-reports.js';

export interface SendReportsResult {
  readonly period: Period;
  readonly dryRun: boolean;
  readonly outDir: string | null;
  readonly build: BuildTotals;
  /** null in a dry run. */
  readonly deliveries: DeliveryTotals | null;
  /** Dry run: per built report (by file name), the destinations the real send would refuse or
   * defer now. null in a real run (the delivery itself checks them). */
  readonly destinations: ReadonlyMap<string, DestinationNotes> | null;
}

export type Signer = (raw: Buffer) => Promise<Buffer>;

export interface SendReportsDeps {
  readonly config: Pick<Config, 'outbound' | 'smtp' | 'file'>;
  readonly db: Database;
  readonly dbPath: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Made when there is something to check or send (a dry run checks external destinations). */
  readonly resolver: () => DnsResolver;
  /** `ruaflow <version>`, in each report's metadata. */
  readonly generator: string;
}

/** Build one day's reports, then deliver what is due. */
export async function sendReportsOnce(
  deps: SendReportsDeps,
  reporter: Reporter,
  // A dry run writes to outDir; a real run signs (the caller has checked the key once).
  options: { period: Period; signal?: AbortSignal; build?: boolean } & ({ dryRun: true; outDir: string } | { dryRun: false; sign: Signer }),
): Promise<SendReportsResult> {
  const { config, log } = deps;
  const common = { reporter, settings: config.outbound, clock: deps.clock, log, generator: deps.generator };
  const history = new EvaluationHistory(deps.db);
  const readAndBuild = async (outbound: OutboundStore | null, write?: (filename: string, payload: Uint8Array) => void): Promise<BuildTotals> => {
    const evaluations = EvaluationReader.open(deps.dbPath);
    try {
      return await buildReports({ ...common, evaluations, history, outbound, ...(write !== undefined ? { write } : {}) }, options.period, options.signal);
    } finally {
      evaluations.close();
    }
  };
  if (options.dryRun) {
    makeDir(options.outDir);
    const build = await readAndBuild(null, (filename, payload) => writeFileOrFail(join(options.outDir, filename), payload));
    // The same checks the delivery makes (reads only), so the preview shows what would be refused.
    const destinations = new Map<string, DestinationNotes>();
    if (build.built.length > 0) {
      const checks = { resolver: deps.resolver(), outbound: new OutboundStore(deps.db), clock: deps.clock };
      for (const report of build.built) {
        if (options.signal?.aborted === true) break;
        destinations.set(report.filename, await checkBuiltDestinations(checks, report));
      }
    }
    return { period: options.period, dryRun: true, outDir: options.outDir, build, deliveries: null, destinations };
  }
  const outbound = new OutboundStore(deps.db);
  const build = options.build === false ? emptyBuildTotals() : await readAndBuild(outbound);
  const archiveDir = config.outbound.archiveDir;
  makeDir(archiveDir);
  // Loaded only to send: a --dry-run never needs nodemailer.
  const { createSmtpTransport } = await import('../platform/smtp-transport.js');
  const transport = createSmtpTransport(requireSmtp(config), { name: reporter.domain });
  try {
    const deliveries = await deliverDue(
      {
        ...common,
        outbound,
        resolver: deps.resolver(),
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
    return { period: options.period, dryRun: false, outDir: null, build, deliveries, destinations: null };
  } finally {
    await transport.close();
  }
}

/**
 * The daemon's runs (`[schedule] send_reports`, and a retry pass every 15 minutes that only
 * delivers what is due): yesterday's reports, under the same lock as `ruaflow send-reports`, so a
 * cron job and the daemon never send at the same time. Logs instead of printing.
 */
export async function scheduledSendReports(
  deps: SendReportsDeps & { readonly config: Pick<Config, 'reporter'>; readonly signingKeys: () => SigningKeys },
  options: { build: boolean; signal: AbortSignal },
): Promise<void> {
  const reporter = requireReporter(deps.config);
  const sign = requireSigning(deps.config, reporter, deps.signingKeys());
  const period = parseReportDay('yesterday', deps.clock.now());
  if (period === null) return;
  const lock = acquireLock(sendLockPath(deps.dbPath), `sending reports from ${deps.dbPath}`);
  try {
    const started = performance.now();
    const r = await sendReportsOnce(deps, reporter, { period, dryRun: false, sign, signal: options.signal, build: options.build });
    const d = r.deliveries;
    if (options.build || (d !== null && d.sent + d.deferred + d.rejected + d.expired > 0)) {
      deps.log.info('send-reports', {
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

export function requireReporter(config: Pick<Config, 'reporter' | 'file'>): Reporter {
  const r = config.reporter;
  if (r.orgName === null || r.email === null || r.domain === null) {
    throw new ConfigError(
      `${config.file ?? 'configuration'}: [reporter] org_name, email and domain are required to send aggregate reports, e.g. [reporter] org_name = "Example Ltd", email = "dmarc-reports@example.com", domain = "example.com"`,
    );
  }
  return { orgName: r.orgName, email: r.email, domain: r.domain, extraContactInfo: r.extraContactInfo, format: r.format };
}

export function requireSmtp(config: Pick<Config, 'smtp' | 'file'>): SmtpConfig {
  if (config.smtp === null) {
    throw new ConfigError(`${config.file ?? 'configuration'}: [smtp] host and from are required to send reports (or run with --dry-run)`);
  }
  return config.smtp;
}

/** Reports MUST pass DMARC themselves (RFC 7489 §7.2.1.1): sign with our key for the From domain. */
export function requireSigning(config: Pick<Config, 'file'>, reporter: Reporter, keys: SigningKeys): Signer {
  const domain = fromDomain(reporter.email);
  const key = keys.forDomain(domain)[0];
  if (key === undefined) {
    throw new ConfigError(
      `${config.file ?? 'configuration'}: no DKIM signing key for ${domain} ([reporter] email): reports must be DKIM-signed; add [[domains]] name = "${domain}" with dkim_keys_dir or keys`,
    );
  }
  return async (raw) => {
    // Loaded when a report is signed, not at start: a --dry-run never needs mailauth's signer.
    const { signMessage } = await import('../mail/dkim-sign.js');
    const signed = await signMessage(raw, key, new Date());
    if (signed.error !== null) throw new ConfigError(`DKIM signing with ${key.selector}._domainkey.${key.signingDomain} failed: ${signed.error}`);
    return signed.raw;
  };
}

function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new IoError(`${dir}: cannot create the folder: ${describeFsError(error)}`, { cause: error });
  }
}
