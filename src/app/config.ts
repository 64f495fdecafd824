/**
 * Configuration, validated once, as a result: `parseConfig` is the pure core — TOML text plus
 * environment in, a complete `Config` (defaults applied, paths absolute) or a ConfigError out;
 * `loadConfig` only finds and reads the file and the `*_file` secrets.
 *
 * Precedence: environment (`RUAFLOW_<SECTION>_<KEY>`, and `RUAFLOW_DB` for the database path) over
 * the file over defaults. Relative paths in the file resolve against the file's folder; relative
 * paths from the environment and the defaults resolve against the working directory.
 *
 * Every error is one line naming where the value came from, the key, what was expected and an
 * example: `ruaflow.toml: [imap] port: expected an integer 1-65535, e.g. port = 993 (got 99999)`.
 */

import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { DEFAULT_LIMITS, DEFAULT_SERVE_LIMITS, LIMIT_SETTINGS, SERVE_LIMIT_SETTINGS, type Limits, type ServeLimits } from '../limits.js';
import { describeFsError, errorCode } from '../platform/fs-errors.js';
import type {
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
import {
  DOMAIN_KEYS,
  KEY_KEYS,
  SERVICE_KEYS,
  DOMAINS,
  SECTION_NAMES,
  SECTIONS,
  documentSchema,
  type ConfigDocument,
  type Example,
  type KeySpec,
  type KeyTable,
  type SectionName,
} from './config-schema.js';

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

export type Env = Readonly<Record<string, string | undefined>>;

/** Reads a secret file (an absolute path) as text; throws as `fs.readFileSync` does. */
export type ReadSecret = (absolutePath: string) => string;

export interface ParseWhere {
  /** Working directory: relative environment values and defaults resolve against it. */
  readonly cwd: string;
  /** Folder of the config file; relative paths in the file resolve against it. Defaults to the
   * folder of `fileLabel` resolved against `cwd`. */
  readonly fileDir?: string;
  /** Reads `password_file` and `access_token_file`. Without it those paths are kept and the
   * secret stays null (the pure core never touches the disk). */
  readonly readSecret?: ReadSecret;
}

export const DEFAULT_DATABASE_PATH = 'reports/ruaflow.sqlite';
export const DEFAULT_CONFIG_FILE = 'ruaflow.toml';
const DEFAULT_OUTBOUND_ARCHIVE = 'reports/outbound';

/** The configuration with no file and no environment, paths resolved against `cwd`. */
export function defaultConfig(cwd: string): Config {
  return parseConfig('', {}, null, { cwd });
}

// ---------------------------------------------------------------------------------------------
// The I/O shell

export interface LoadConfigOptions {
  /** `--config FILE`; must exist. Without it `./ruaflow.toml` is used when present. */
  readonly configPath?: string | undefined;
  readonly env: Env;
  readonly cwd: string;
}

export async function loadConfig(options: LoadConfigOptions): Promise<Config> {
  const { configPath, env, cwd } = options;
  const label = configPath ?? DEFAULT_CONFIG_FILE;
  const file = resolve(cwd, label);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (configPath === undefined && errorCode(error) === 'ENOENT') {
      return parseConfig('', env, null, { cwd, readSecret: readSecretFile });
    }
    const why = errorCode(error) === 'ENOENT' ? 'no such file' : describeFsError(error);
    throw new ConfigError(`${label}: cannot read the configuration file: ${why}`, { cause: error });
  }
  return parseConfig(text, env, label, { cwd, fileDir: dirname(file), readSecret: readSecretFile });
}

const readSecretFile: ReadSecret = (path) => readFileSync(path, 'utf8');

// ---------------------------------------------------------------------------------------------
// The pure core

/** Where a value came from: the file, or the named environment variable. */
type Origin = { readonly kind: 'file' } | { readonly kind: 'env'; readonly name: string };
const FROM_FILE: Origin = { kind: 'file' };

interface Context {
  readonly fileLabel: string | null;
  readonly cwd: string;
  readonly fileDir: string;
  /** `section.key` → environment variable, for values the environment set. */
  readonly fromEnv: ReadonlyMap<string, string>;
  readonly readSecret: ReadSecret | undefined;
}

/**
 * TOML text + environment → Config, or a ConfigError. `fileLabel` names the file in messages
 * (null: no file, `text` is ignored).
 */
export function parseConfig(text: string, env: Env, fileLabel: string | null, where: Partial<ParseWhere> = {}): Config {
  const cwd = where.cwd ?? process.cwd();
  const ctx: Omit<Context, 'fromEnv'> = {
    fileLabel,
    cwd,
    fileDir: where.fileDir ?? (fileLabel === null ? cwd : dirname(resolve(cwd, fileLabel))),
    readSecret: where.readSecret,
  };
  const table = fileLabel === null ? {} : readToml(text, fileLabel);
  const { document, fromEnv } = applyEnv(table, env);
  const full: Context = { ...ctx, fromEnv };
  const result = documentSchema.safeParse(document);
  if (!result.success) throw new ConfigError(describeIssue(pickIssue(result.error.issues), document, full));
  checkRelations(result.data, full);
  return build(result.data, full);
}

function readToml(text: string, fileLabel: string): Record<string, unknown> {
  try {
    return parseToml(text);
  } catch (error) {
    if (error instanceof TomlError) {
      // smol-toml's message is "Invalid TOML document: <what>" followed by a code excerpt.
      const what = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document:\s*/, '');
      throw new ConfigError(`${fileLabel}:${error.line}:${error.column}: invalid TOML: ${what}`, { cause: error });
    }
    throw error;
  }
}

// --- environment -------------------------------------------------------------------------------

const ENV_PREFIX = 'RUAFLOW_';
const envName = (section: string, key: string): string => `${ENV_PREFIX}${section}_${key}`.toUpperCase();

/** Overlay `RUAFLOW_<SECTION>_<KEY>` values on the file's tables. Unknown variables under a known
 * section prefix are errors (a typo would otherwise be silently ignored); other `RUAFLOW_*`
 * variables belong to someone else. An empty value counts as unset (compose files and systemd
 * units often define variables empty). */
function applyEnv(
  table: Record<string, unknown>,
  env: Env,
): { document: Record<string, unknown>; fromEnv: Map<string, string> } {
  const document: Record<string, unknown> = { ...table };
  const fromEnv = new Map<string, string>();
  const set = (section: SectionName, key: string, value: unknown, name: string): void => {
    const current = document[section];
    // A file section that is not a table is reported by the schema; leave it for that.
    if (current !== undefined && !isPlainTable(current)) return;
    const next: Record<string, unknown> = { ...(current as Record<string, unknown> | undefined), [key]: value };
    // A secret from the environment replaces the file's, whichever form the file used.
    if (key.endsWith('_file')) delete next[key.slice(0, -'_file'.length)];
    else if (key === 'password' || key === 'access_token') delete next[`${key}_file`];
    document[section] = next;
    fromEnv.set(`${section}.${key}`, name);
  };

  for (const name of Object.keys(env).sort()) {
    const raw = env[name];
    if (!name.startsWith(ENV_PREFIX) || raw === undefined || raw === '') continue;
    if (name === 'RUAFLOW_DB' || name === 'RUAFLOW_DOMAINS') continue;
    const rest = name.slice(ENV_PREFIX.length).toLowerCase();
    const section = SECTION_NAMES.find((s) => rest.startsWith(`${s}_`));
    if (section === undefined) continue;
    const key = rest.slice(section.length + 1);
    const spec = (SECTIONS[section] as KeyTable)[key];
    if (spec === undefined) {
      const known = Object.keys(SECTIONS[section]).map((k) => envName(section, k));
      throw new ConfigError(`environment: ${name}: unknown setting; expected one of ${known.join(', ')}${didYouMean(name, known)}`);
    }
    set(section, key, coerce(raw, spec), name);
  }

  // RUAFLOW_DB is the documented shorthand (docs/configuration.md); two different values
  // for one setting is a mistake worth stopping for.
  const db = env['RUAFLOW_DB'];
  if (db !== undefined && db !== '') {
    const long = env['RUAFLOW_DATABASE_PATH'];
    if (long !== undefined && long !== '' && long !== db) {
      throw new ConfigError(`environment: RUAFLOW_DB and RUAFLOW_DATABASE_PATH differ (${JSON.stringify(db)} vs ${JSON.stringify(long)}); set one`);
    }
    set('database', 'path', db, 'RUAFLOW_DB');
  }

  // [[domains]] is a list of tables, which one variable cannot express in full: RUAFLOW_DOMAINS
  // (comma-separated names) says which domains are ours, keeping the file's settings for a name
  // the file also lists.
  const domains = env['RUAFLOW_DOMAINS'];
  if (domains !== undefined && domains !== '') {
    const fileDomains = Array.isArray(document[DOMAINS]) ? (document[DOMAINS] as unknown[]) : [];
    const byName = new Map(
      fileDomains.flatMap((d) => (isPlainTable(d) && typeof d['name'] === 'string' ? [[d['name'].toLowerCase(), d] as const] : [])),
    );
    document[DOMAINS] = splitList(domains).map((name) => byName.get(name.toLowerCase()) ?? { name });
    fromEnv.set(DOMAINS, 'RUAFLOW_DOMAINS');
  }
  return { document, fromEnv };
}

function coerce(raw: string, spec: KeySpec): unknown {
  switch (spec.coerce) {
    case 'string':
      return raw;
    case 'integer':
      // Anything else stays text, so the schema reports it with the expected form.
      return /^[+-]?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
    case 'boolean': {
      const word = raw.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(word)) return true;
      if (['false', '0', 'no', 'off'].includes(word)) return false;
      return raw;
    }
    case 'list':
      return splitList(raw);
  }
}

const splitList = (raw: string): string[] =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** A TOML table (smol-toml builds them without a prototype) or a literal object. */
const isPlainTable = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
};

// --- messages ----------------------------------------------------------------------------------

/** Unknown keys first: a misspelt key usually explains the errors that follow it. */
function pickIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  const first = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
  if (first === undefined) throw new Error('zod reported failure without issues');
  return first;
}

/** The place a key lives, as a user would find it: `[imap]`, `[[domains]] #2`. */
function tableName(section: string, index: number | undefined): string {
  return index === undefined ? `[${section}]` : `[[${section}]] #${index + 1}`;
}

function describeIssue(issue: z.core.$ZodIssue, document: Record<string, unknown>, ctx: Context): string {
  const [section, second, third] = issue.path;
  const fileLabel = ctx.fileLabel ?? 'configuration';
  const sectionList = [...SECTION_NAMES.map((s) => `[${s}]`), `[[${DOMAINS}]]`];

  if (section === undefined) {
    // Only unknown top-level names reach here.
    const names = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const name = names[0] ?? '?';
    const value = document[name];
    if (isPlainTable(value) || Array.isArray(value)) {
      return `${fileLabel}: [${name}]: unknown section; expected one of ${sectionList.join(', ')}${didYouMean(`[${name}]`, sectionList)}`;
    }
    const homes = SECTION_NAMES.filter((s) => name in SECTIONS[s]).map((s) => `[${s}] ${name}`);
    if (name in DOMAIN_KEYS) homes.push(`[[${DOMAINS}]] ${name}`);
    const hint = homes.length > 0 ? ` (did you mean ${homes.join(' or ')}?)` : '';
    return `${fileLabel}: ${name}: settings belong in a section; expected one of ${sectionList.join(', ')}${hint}`;
  }

  const isDomains = section === DOMAINS;
  const index = isDomains && typeof second === 'number' ? second : undefined;
  const keys: KeyTable = isDomains ? DOMAIN_KEYS : (SECTIONS[section as SectionName] as KeyTable);
  const keyPart = isDomains ? third : second;

  if (isDomains && second === undefined) {
    return `${fileLabel}: [[${DOMAINS}]]: expected an array of tables, e.g. [[${DOMAINS}]] name = "example.com"`;
  }
  const where = tableName(String(section), index);
  if (keyPart === undefined) {
    if (issue.code === 'unrecognized_keys') {
      const name = issue.keys[0] ?? '?';
      const known = Object.keys(keys);
      return `${fileLabel}: ${where} ${name}: unknown key; expected one of ${known.join(', ')}${didYouMean(name, known)}`;
    }
    const [firstKey, firstSpec] = Object.entries(keys)[0] ?? ['key', undefined];
    const example = firstSpec ? ` ${firstKey} = ${tomlValue(firstSpec.example)}` : '';
    return `${fileLabel}: ${where}: expected a table of settings, e.g. ${where}${example}`;
  }

  const key = String(keyPart);
  const spec = keys[key];
  if (spec === undefined) return `${fileLabel}: ${where} ${key}: ${issue.message}`;
  const nested = isDomains ? describeNested(issue, `${fileLabel}: ${where} ${key}`, key) : undefined;
  if (nested !== undefined) return nested;
  const got = spec.secret ? '' : ` (got ${shortValue(valueAt(document, issue.path))})`;
  return `${describeKey(String(section), key, index, ctx)}: expected ${spec.expected}, e.g. ${exampleFor(String(section), key, spec, index, ctx)}${got}`;
}

/** Tables inside `[[domains]]` (services, keys): name the entry and the inner key, e.g.
 * `[[domains]] #1 services #2 ips: expected …` or `… keys #1: unknown key privat_key_file`. */
function describeNested(issue: z.core.$ZodIssue, prefix: string, key: string): string | undefined {
  const inner = NESTED_KEYS[key];
  const [index, innerKey] = issue.path.slice(3);
  if (inner === undefined || typeof index !== 'number') return undefined;
  const entry = `${prefix} #${index + 1}`;
  if (issue.code === 'unrecognized_keys') {
    const name = issue.keys[0] ?? '?';
    return `${entry}: unknown key ${name}; expected one of ${inner.join(', ')}${didYouMean(name, inner)}`;
  }
  if (innerKey === undefined) {
    // `services` entries are a name or a table: when a table was written, report what is wrong
    // inside it rather than "expected a name or a table".
    if (issue.code === 'invalid_union') {
      const branch = issue.errors.find((b) => b.some((i) => i.path.length > 0 || i.code === 'unrecognized_keys'));
      const first = branch?.[0];
      if (first === undefined) return undefined;
      return describeNested({ ...first, path: [...issue.path, ...first.path] } as z.core.$ZodIssue, prefix, key);
    }
    return `${entry}: ${issue.message}`;
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${entry} ${String(innerKey)}: required`;
  const expected = NESTED_EXPECTED[String(innerKey)];
  return `${entry} ${String(innerKey)}: ${expected === undefined ? issue.message : `expected ${expected}`}`;
}

const NESTED_EXPECTED: Readonly<Record<string, string>> = {
  name: 'a non-empty name, e.g. name = "SendGrid"',
  ips: 'a list of IP addresses or CIDR ranges, e.g. ips = ["192.0.2.0/24", "2001:db8::/32"]',
  ptr: 'a list of host-name suffixes, e.g. ptr = ["sendgrid.net"]',
  dkim: 'a list of DKIM signing domains, e.g. dkim = ["sendgrid.net"]',
  selector: 'a DKIM selector (a DNS label), e.g. selector = "s2026"',
  private_key_file: 'a PEM file path, e.g. private_key_file = "dkim/example.com/private"',
  public_key_file: 'a PEM file path, e.g. public_key_file = "dkim/example.com/public"',
  domain: 'a domain name, e.g. domain = "example.com"',
};

const NESTED_KEYS: Readonly<Record<string, readonly string[]>> = { services: SERVICE_KEYS, keys: KEY_KEYS };

/** `ruaflow.toml: [imap] port` or `environment: RUAFLOW_IMAP_PORT`. */
function describeKey(section: string, key: string, index: number | undefined, ctx: Context): string {
  const env = envOrigin(section, key, index, ctx);
  if (env !== undefined) return `environment: ${env}`;
  return `${ctx.fileLabel ?? 'configuration'}: ${tableName(section, index)} ${key}`;
}

function exampleFor(section: string, key: string, spec: KeySpec, index: number | undefined, ctx: Context): string {
  const env = envOrigin(section, key, index, ctx);
  if (env === 'RUAFLOW_DOMAINS') return 'RUAFLOW_DOMAINS=example.com,example.org';
  if (env !== undefined) return `${env}=${envValue(spec.example)}`;
  return `${key} = ${tomlValue(spec.example)}`;
}

function envOrigin(section: string, key: string, index: number | undefined, ctx: Context): string | undefined {
  if (index !== undefined) return key === 'name' ? ctx.fromEnv.get(DOMAINS) : undefined;
  return ctx.fromEnv.get(`${section}.${key}`);
}

function originOf(section: string, key: string, ctx: Context): Origin {
  const name = ctx.fromEnv.get(`${section}.${key}`);
  return name === undefined ? FROM_FILE : { kind: 'env', name };
}

const tomlValue = (v: Example): string =>
  Array.isArray(v) ? `[${v.map((s) => JSON.stringify(s)).join(', ')}]` : JSON.stringify(v);

const envValue = (v: Example): string => (Array.isArray(v) ? v.join(',') : String(v));

function shortValue(v: unknown): string {
  // A TOML date is a TomlDate (a Date whose toISOString keeps the TOML form: 1979-05-27).
  const s = v instanceof Date ? v.toISOString() : (JSON.stringify(v) ?? String(v));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** ` (did you mean X?)` when one candidate is within two edits. */
function didYouMean(name: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best === undefined ? '' : ` (did you mean ${best}?)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

// --- relations between keys --------------------------------------------------------------------

/** A missing key that another key makes necessary. */
function required(section: SectionName, key: string, why: string, ctx: Context, sectionFromFile: boolean): ConfigError {
  const spec = (SECTIONS[section] as KeyTable)[key];
  const example = spec === undefined ? '' : spec.example;
  if (!sectionFromFile || ctx.fileLabel === null) {
    return new ConfigError(`environment: ${envName(section, key)}: required when ${why}, e.g. ${envName(section, key)}=${envValue(example)}`);
  }
  return new ConfigError(`${ctx.fileLabel}: [${section}] ${key}: required when ${why}, e.g. ${key} = ${tomlValue(example)}`);
}

function conflict(section: SectionName, a: string, b: string, ctx: Context): ConfigError {
  const name = (k: string) => (originOf(section, k, ctx).kind === 'env' ? envName(section, k) : `[${section}] ${k}`);
  const where = originOf(section, a, ctx).kind === 'env' && originOf(section, b, ctx).kind === 'env' ? 'environment' : (ctx.fileLabel ?? 'environment');
  return new ConfigError(`${where}: ${name(a)}: set either ${a} or ${b}, not both`);
}

function checkRelations(doc: ConfigDocument, ctx: Context): void {
  const fromFile = (section: SectionName, table: object | undefined): boolean =>
    table !== undefined && Object.keys(table).some((k) => originOf(section, k, ctx).kind === 'file');

  const imap = doc.imap;
  if (imap !== undefined) {
    const why = ctx.fileLabel !== null && fromFile('imap', imap) ? '[imap] is set' : 'RUAFLOW_IMAP_* is set';
    const file = fromFile('imap', imap);
    if (imap.password !== undefined && imap.password_file !== undefined) throw conflict('imap', 'password', 'password_file', ctx);
    if (imap.access_token !== undefined && imap.access_token_file !== undefined) throw conflict('imap', 'access_token', 'access_token_file', ctx);
    if (imap.host === undefined) throw required('imap', 'host', why, ctx, file);
    if (imap.user === undefined) throw required('imap', 'user', why, ctx, file);
    const hasSecret = [imap.password, imap.password_file, imap.access_token, imap.access_token_file].some((v) => v !== undefined);
    if (!hasSecret) throw required('imap', 'password', `${why} (or password_file, access_token, access_token_file)`, ctx, file);
    if (imap.after_processing === 'move' && imap.archive_mailbox === undefined) {
      throw required('imap', 'archive_mailbox', 'after_processing = "move"', ctx, file);
    }
  }

  const smtp = doc.smtp;
  if (smtp !== undefined) {
    const file = fromFile('smtp', smtp);
    const why = ctx.fileLabel !== null && file ? '[smtp] is set' : 'RUAFLOW_SMTP_* is set';
    if (smtp.password !== undefined && smtp.password_file !== undefined) throw conflict('smtp', 'password', 'password_file', ctx);
    if (smtp.host === undefined) throw required('smtp', 'host', why, ctx, file);
    if (smtp.from === undefined) throw required('smtp', 'from', why, ctx, file);
    if ((smtp.password !== undefined || smtp.password_file !== undefined) && smtp.user === undefined) {
      throw required('smtp', 'user', 'a password is set', ctx, file);
    }
  }

  // Reports we send must say who sent them (RFC 9990 §3: org_name, email; our domain for the
  // Report-ID and the DKIM signature). Setting only `format` is fine.
  const reporter = doc.reporter;
  if (reporter !== undefined && Object.keys(reporter).some((k) => k !== 'format')) {
    const file = fromFile('reporter', reporter);
    const why = ctx.fileLabel !== null && file ? '[reporter] is set' : 'RUAFLOW_REPORTER_* is set';
    for (const key of ['org_name', 'email', 'domain'] as const) {
      if (reporter[key] === undefined) throw required('reporter', key, why, ctx, file);
    }
  }

  const seen = new Map<string, number>();
  (doc.domains ?? []).forEach((d, i) => {
    if (d.name === undefined) {
      throw new ConfigError(`${ctx.fileLabel ?? 'configuration'}: [[${DOMAINS}]] #${i + 1} name: required, e.g. name = "example.com"`);
    }
    const before = seen.get(d.name);
    if (before !== undefined && ctx.fromEnv.has(DOMAINS)) {
      throw new ConfigError(`environment: RUAFLOW_DOMAINS: ${JSON.stringify(d.name)} is listed twice`);
    }
    if (before !== undefined) {
      throw new ConfigError(`${ctx.fileLabel ?? 'environment'}: [[${DOMAINS}]] #${i + 1} name: ${JSON.stringify(d.name)} is already listed as #${before + 1}`);
    }
    seen.set(d.name, i);
  });
}

// --- building the result ------------------------------------------------------------------------

function build(doc: ConfigDocument, ctx: Context): Config {
  const pathOf = (section: SectionName, key: string, value: string | undefined): string | null => {
    if (value === undefined) return null;
    const base = originOf(section, key, ctx).kind === 'env' ? ctx.cwd : ctx.fileDir;
    return isAbsolute(value) ? value : resolve(base, value);
  };
  const secretOf = (section: SectionName, key: string, inline: string | undefined, file: string | null): string | null => {
    if (inline !== undefined) return inline;
    if (file === null || ctx.readSecret === undefined) return null;
    return readSecret(section, key, file, ctx);
  };

  const dbPath = doc.database?.path;
  const database = {
    path:
      dbPath === undefined
        ? resolve(ctx.cwd, DEFAULT_DATABASE_PATH)
        : dbPath === ':memory:'
          ? dbPath
          : (pathOf('database', 'path', dbPath) ?? dbPath),
  };

  let imap: ImapConfig | null = null;
  if (doc.imap?.host !== undefined && doc.imap.user !== undefined) {
    const i = doc.imap;
    const secure = i.secure ?? true;
    const passwordFile = pathOf('imap', 'password_file', i.password_file);
    const accessTokenFile = pathOf('imap', 'access_token_file', i.access_token_file);
    imap = {
      host: i.host!,
      port: i.port ?? (secure ? 993 : 143),
      secure,
      user: i.user!,
      password: secretOf('imap', 'password_file', i.password, passwordFile),
      passwordFile,
      accessToken: secretOf('imap', 'access_token_file', i.access_token, accessTokenFile),
      accessTokenFile,
      mailbox: i.mailbox ?? 'INBOX',
      archiveMailbox: i.archive_mailbox ?? null,
      invalidMailbox: i.invalid_mailbox ?? null,
      notAggregateMailbox: i.not_aggregate_mailbox ?? null,
      afterProcessing: (i.after_processing as ImapConfig['afterProcessing'] | undefined) ?? (i.archive_mailbox !== undefined ? 'move' : 'seen'),
      idle: i.idle ?? false,
      batchSize: i.batch_size ?? 50,
      tlsRejectUnauthorized: i.tls_reject_unauthorized ?? true,
      caFile: pathOf('imap', 'ca_file', i.ca_file),
    };
  }

  let smtp: SmtpConfig | null = null;
  if (doc.smtp?.host !== undefined && doc.smtp.from !== undefined) {
    const s = doc.smtp;
    // Port 465 is implicit TLS (RFC 8314 §3.3); 587 is submission with STARTTLS.
    const secure = s.secure ?? s.port === 465;
    const passwordFile = pathOf('smtp', 'password_file', s.password_file);
    smtp = {
      host: s.host!,
      port: s.port ?? (secure ? 465 : 587),
      secure,
      user: s.user ?? null,
      password: secretOf('smtp', 'password_file', s.password, passwordFile),
      passwordFile,
      from: s.from!.trim(),
    };
  }

  const schedule = (key: 'poll' | 'summary' | 'send_reports', fallback: string): string | null => {
    const v = doc.schedule?.[key]?.trim() ?? fallback;
    return v === 'off' ? null : v.replace(/\s+/g, ' ');
  };

  const limits = { ...DEFAULT_LIMITS } as { -readonly [K in keyof Limits]: number };
  for (const name of Object.keys(LIMIT_SETTINGS) as (keyof Limits)[]) {
    const v = doc.limits?.[LIMIT_SETTINGS[name]];
    if (v !== undefined) limits[name] = v;
  }
  const serve = { ...DEFAULT_SERVE_LIMITS } as { -readonly [K in keyof ServeLimits]: number };
  for (const name of Object.keys(SERVE_LIMIT_SETTINGS) as (keyof ServeLimits)[]) {
    const v = doc.serve?.[SERVE_LIMIT_SETTINGS[name]];
    if (v !== undefined) serve[name] = v;
  }

  return {
    file: ctx.fileLabel,
    database,
    imap,
    smtp,
    dns: { servers: doc.dns?.servers ?? [], timeoutMs: doc.dns?.timeout_ms ?? 5000 },
    reporter: {
      orgName: doc.reporter?.org_name ?? null,
      email: doc.reporter?.email ?? null,
      domain: doc.reporter?.domain ?? null,
      extraContactInfo: doc.reporter?.extra_contact_info ?? null,
      format: (doc.reporter?.format as OutboundReportFormat | undefined) ?? 'rfc9990',
    },
    schedule: {
      poll: schedule('poll', '*/15 * * * *'),
      summary: schedule('summary', '0 8 * * mon'),
      sendReports: schedule('send_reports', '15 0 * * *'),
    },
    summary: { to: doc.summary?.to ?? [], sendEmpty: doc.summary?.send_empty ?? false },
    domains: (doc.domains ?? []).map((d) => ({
      name: d.name!,
      // [[domains]] paths always come from the file (RUAFLOW_DOMAINS carries names only).
      dkimKeysDir: d.dkim_keys_dir === undefined ? null : resolve(ctx.fileDir, d.dkim_keys_dir),
      keys: (d.keys ?? []).map((k) => ({
        selector: k.selector,
        privateKeyFile: resolve(ctx.fileDir, k.private_key_file),
        publicKeyFile: k.public_key_file === undefined ? null : resolve(ctx.fileDir, k.public_key_file),
        domain: k.domain ?? null,
      })),
      retiredSelectors: d.retired_selectors ?? [],
      relays: d.relays ?? [],
      services: (d.services ?? []).map((v) =>
        typeof v === 'string'
          ? { name: v, ips: [], ptr: [v.toLowerCase()], dkim: [v.toLowerCase()] }
          : { name: v.name, ips: v.ips ?? [], ptr: v.ptr ?? [], dkim: v.dkim ?? [] },
      ),
      summaryTo: d.summary_to ?? [],
    })),
    policy: {
      knownSigners: doc.policy?.known_signers ?? [],
      dkimWhitelist: doc.policy?.dkim_whitelist ?? [],
      trustedForwarders: doc.policy?.trusted_forwarders ?? [],
    },
    limits,
    outbound: {
      ownRua: [...new Set([...(doc.outbound?.own_rua ?? []), ...(doc.reporter?.email !== undefined ? [doc.reporter.email] : [])].map((a) => a.toLowerCase()))],
      allowDomains: doc.outbound?.allow_domains ?? [],
      denyDomains: doc.outbound?.deny_domains ?? [],
      maxRuaUris: doc.outbound?.max_rua_uris ?? 3,
      maxReportsPerRun: doc.outbound?.max_reports_per_run ?? 1000,
      paceSeconds: doc.outbound?.pace_seconds ?? 2,
      maxMessageBytes: doc.outbound?.max_message_bytes ?? 10 * 1024 * 1024,
      suppressDays: doc.outbound?.suppress_days ?? 30,
      giveUpAfterDays: doc.outbound?.give_up_after_days ?? 4,
      archiveDir: pathOf('outbound', 'archive_dir', doc.outbound?.archive_dir) ?? resolve(ctx.cwd, DEFAULT_OUTBOUND_ARCHIVE),
    },
    serve,
  };
}

/** A secret file's text without its trailing line break(s). */
function readSecret(section: SectionName, key: string, path: string, ctx: Context): string {
  const label = describeKey(section, key, undefined, ctx);
  let text: string;
  try {
    text = ctx.readSecret!(path);
  } catch (error) {
    throw new ConfigError(`${label}: cannot read ${path}: ${describeFsError(error)}`, { cause: error });
  }
  const secret = text.replace(/[\r\n]+$/, '');
  if (secret === '') throw new ConfigError(`${label}: ${path} is empty`);
  return secret;
}




