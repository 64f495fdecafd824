/**
 * Configuration, as the rest of ruaflow imports it. The work is split by concern in
 * src/app/config/: the keys with their defaults (schema.ts), environment overrides (env.ts),
 * secrets from files (secrets.ts), rules between keys (rules.ts), the pure core that returns a
 * result (parse.ts) and the loader at the edge that reads files and throws ConfigError (load.ts).
 */
export { defaultConfig, DEFAULT_CONFIG_FILE, DEFAULT_DATABASE_PATH, loadConfig, parseConfig, type LoadConfigOptions } from './config/load.js';
export { configFromToml, type ParseWhere } from './config/parse.js';
export type { ConfigProblem, ConfigResult } from './config/problem.js';
export type { ReadSecret } from './config/context.js';
export type { Env } from './config/env.js';

export type {
  Config,
  DomainConfig,
  DnsConfig,
  ImapConfig,
  KeyFileConfig,
  OutboundConfig,
  OutboundReportFormat,
  PolicyConfig,
  ReporterConfig,
  ScheduleConfig,
  ServiceConfig,
  SmtpConfig,
  SummaryConfig,
} from '../types/config.js';
