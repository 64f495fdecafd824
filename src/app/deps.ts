/**
 * The composition root: builds the real adapters (database, ledger, clock, logger) once from the
 * configuration and hands them to a job.
 */
import { resolve } from 'node:path';
import type { IngestStores } from '../jobs/ingest-input.js';
import { systemClock } from '../ports/clock.js';
import type { DnsResolver } from '../ports/dns.js';
import { createDnsResolver } from '../platform/dns-resolver.js';
import { openDatabase, type Database } from '../store/database.js';
import { InputLedger } from '../store/inputs.js';
import { ReportStore } from '../store/reports.js';
import { loadConfig, type Config } from './config.js';

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

export function openApp(config: Config, dbOverride: string | undefined): AppDeps {
  const dbPath = resolve(dbOverride ?? config.database.path);
  const db = openDatabase(dbPath);
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
