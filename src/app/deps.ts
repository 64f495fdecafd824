/**
 * The composition root: builds the real adapters (database, ledger, clock, logger) once from the
 * configuration and hands them to a job.
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { refreshClassesOffline } from '../jobs/classify-stored.js';
import type { IngestDeps } from '../jobs/ingest.js';
import type { IngestStores } from '../jobs/ingest-input.js';
import type { scheduledSendReports, SendReportsDeps } from '../jobs/send-reports-pass.js';
import type { LiveSummaryDeps } from '../jobs/summary.js';
import type { ServeRunDeps } from '../jobs/serve-listen.js';
import type { SourcesDeps } from '../jobs/sources.js';
import type { VerifyDeps } from '../jobs/verify-message.js';
import type { MailSummaryDeps, ScheduledSummaryDeps } from '../jobs/summary-mail.js';
import { systemClock } from '../ports/clock.js';
import type { DnsResolver } from '../ports/dns.js';
import type { Logger } from '../ports/logger.js';
import { createDnsResolver } from '../platform/dns-resolver.js';
import { CommitGroup } from '../store/commit-group.js';
import { openDatabase, type Database } from '../store/database.js';
import { damaged, integrityProblems } from '../store/integrity.js';
import { DatabaseCorruptError } from '../errors.js';
import { EvaluationStore } from '../store/evaluations.js';
import { InputLedger } from '../store/inputs.js';
import { ReportStore } from '../store/reports.js';
import { loadConfig, type Config } from './config.js';
import { loadSigningIdentities, loadSigningKeys } from './signing-keys.js';
import { ruaflowVersion } from './version.js';

export interface AppDeps extends IngestStores {
  readonly config: Config;
  readonly db: Database;
  readonly dbPath: string;
  close(): void;
}

export async function loadAppConfig(options: { config?: string | undefined; db?: string | undefined }): Promise<Config> {
  return loadConfig({ configPath: options.config, env: process.env, cwd: process.cwd() });
}

/** The one DNS resolver of a run: `[dns] servers` (or the system's), with a cache. */
export function dnsResolver(config: Config): DnsResolver {
  return createDnsResolver(config.dns);
}

/** `read`: a command that only reads (reports, summary, sources, db check) — a database that
 * does not exist is an error naming it, and nothing is created. `write` creates it. */
export type OpenMode = 'read' | 'write';

export function openApp(config: Config, dbOverride: string | undefined, mode: OpenMode = 'write'): AppDeps {
  const dbPath = resolve(dbOverride ?? config.database.path);
  const db = openDatabase(dbPath, { create: mode === 'write' });
  return {
    config,
    db,
    dbPath,
    reports: new ReportStore(db),
    ledger: new InputLedger(db),
    limits: config.limits,
    clock: systemClock,
    close: () => db.close(),
  };
}

/** `work` on the open database, which is then closed. SQLite's errors that say the file is
 * damaged, wherever a query met them, become one DatabaseCorruptError naming the file (exit 6). */
export async function usingApp<T>(app: AppDeps, work: (app: AppDeps) => Promise<T> | T): Promise<T> {
  try {
    return await work(app);
  } catch (error) {
    throw damaged(error, app.dbPath);
  } finally {
    app.close();
  }
}

export { damaged };

/** Before a command stores anything (ingest, poll, run, the daemon at start): SQLite's quick
 * check of the whole file, so that nothing is written into a damaged one — writing there spreads
 * the damage and hides it. Reads every page once: about a second per 200 MB. */
export function requireSoundDatabase(app: Pick<AppDeps, 'db' | 'dbPath'>): void {
  let problems: string[];
  try {
    problems = integrityProblems(app.db, 'quick_check');
  } catch (error) {
    throw damaged(error, app.dbPath);
  }
  if (problems.length > 0) throw quickCheckFailed(app.dbPath, problems);
}

/** The one line for a quick check that found `problems` (not empty): the first, and how many more. */
export function quickCheckFailed(dbPath: string, problems: readonly string[]): DatabaseCorruptError {
  const more = problems.length > 1 ? ` and ${problems.length - 1} more; ruaflow db check lists them` : '';
  return new DatabaseCorruptError(dbPath, `quick_check: ${problems[0] ?? 'damaged'}${more}`);
}

/** The summary's ports: DNS for PTR names and our policy unless offline, our signing identities. */
export function liveSummaryDeps(app: Pick<AppDeps, 'db' | 'config' | 'clock'>, offline: boolean): LiveSummaryDeps {
  return { db: app.db, config: app.config, resolver: offline ? null : dnsResolver(app.config), keys: loadSigningIdentities(app.config), clock: app.clock };
}

/** `ruaflow sources`: DNS for PTR names unless offline; our signing identities read when classifying. */
export function sourcesDeps(app: Pick<AppDeps, 'db' | 'config' | 'clock'>, offline: boolean): SourcesDeps {
  return { db: app.db, config: app.config, resolver: offline ? null : dnsResolver(app.config), keys: () => loadSigningIdentities(app.config), clock: app.clock };
}

/** The daemon's weekly summary: built with DNS, mailed, logged. */
export function scheduledSummaryDeps(db: Database, config: Config, log: Logger): ScheduledSummaryDeps {
  return { ...mailSummaryDeps(config), live: liveSummaryDeps({ db, config, clock: systemClock }, false), log };
}

/** What mailing the summary needs: the configuration, and our keys read when signing. */
export function mailSummaryDeps(config: Config): MailSummaryDeps {
  return { config, signingKeys: () => loadSigningKeys(config) };
}

/** The daemon's send-reports runs: a real run, signed with our key for [reporter] email. */
export function scheduledSendReportsDeps(app: AppDeps, log: Logger): Parameters<typeof scheduledSendReports>[0] {
  return { ...sendReportsDeps(app, log), config: app.config, signingKeys: () => loadSigningKeys(app.config) };
}

/** What a send-reports run needs; the resolver is made only when delivering. */
export function sendReportsDeps(app: AppDeps, log: Logger): SendReportsDeps {
  return { config: app.config, db: app.db, dbPath: app.dbPath, clock: app.clock, log, resolver: () => dnsResolver(app.config), generator: `ruaflow ${ruaflowVersion()}` };
}

/** Ingest into the open database; new reports bring the stored classes up to date (offline). */
export function ingestDeps(app: AppDeps, log: Logger): IngestDeps {
  return { stores: app, log, afterNewReports: () => refreshClassesOffline(app.db, app.config, () => loadSigningIdentities(app.config), app.clock, log) };
}

/** The verification dependencies of a run: shared with `ruaflow serve`. */
export function verifyDeps(config: Config, app: Pick<AppDeps, 'db'> | null, log: Logger, authservId: string | undefined): VerifyDeps {
  return {
    resolver: dnsResolver(config),
    policy: config.policy,
    authservId: authservId ?? config.reporter.domain ?? hostname(),
    clock: systemClock,
    log,
    store: app === null ? null : new EvaluationStore(app.db),
    sample: () => Math.random() * 100,
    maxDkimSignatures: config.limits.maxDkimSignatures,
  };
}

/** `ruaflow serve`: the verification of `verify`, its evaluations written in group commits (many
 * per transaction, committed within 100 ms and on stop); nothing recorded without a database. */
export function serveDeps(config: Config, app: Pick<AppDeps, 'db'> | null, log: Logger & { flush(): void }, authservId: string | undefined): ServeRunDeps {
  const group = app === null ? null : new CommitGroup(app.db, { maxInputs: 500, maxMillis: 100 });
  return { verify: verifyDeps(config, app, log, authservId), group, config, log };
}
