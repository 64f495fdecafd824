/**
 * The configuration vocabulary: every section and key of ruaflow.toml, what each accepts, its
 * default, an example for error messages, and how the text of its environment variable
 * (`RUAFLOW_<SECTION>_<KEY>`) is coerced. Pure data, one table per section; build.ts applies the
 * defaults, and nothing else repeats them (a default that is also a limit or tunable is read from
 * src/limits.ts). A default that depends on another
 * key (the IMAP port on `secure`, `after_processing` on `archive_mailbox`) is a rule: rules.ts.
 *
 * Each key's zod schema checks one value; the section schemas are strict, so an unknown key is an
 * error rather than a silently ignored typo.
 */

import { isIP } from 'node:net';
import { z } from 'zod';
import {
  DEFAULT_DNS_TIMEOUT_MS,
  DEFAULT_IMAP_BATCH_SIZE,
  DEFAULT_LIMITS,
  DEFAULT_OUTBOUND,
  DEFAULT_SERVE_LIMITS,
  LIMIT_SETTINGS,
  SERVE_LIMIT_SETTINGS,
  type Limits,
  type ServeLimits,
} from '../../limits.js';
import type { ReportFormat } from '../../report/aggregate/types.js';
import type { OutboundReportFormat } from '../../types/config.js';
import { DOMAIN_NAME, isMailbox } from '../../mail/address-syntax.js';

/** How the text of an environment variable becomes a value before validation. */
export type EnvCoercion = 'string' | 'integer' | 'boolean' | 'list';

/** An example value, written in TOML (`port = 993`) or environment (`RUAFLOW_IMAP_PORT=993`) form. */
export type Example = string | number | boolean | readonly string[];

export interface KeySpec<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  readonly coerce: EnvCoercion;
  /** Completes "expected …" in an error message. */
  readonly expected: string;
  readonly example: Example;
  /** A file or folder: a relative value resolves against the config file's folder (the working
   * directory when it came from the environment). */
  readonly isPath?: true;
  /** Never echoed back in an error message. */
  readonly secret?: true;
  /** The value when neither the file nor the environment sets the key. Absent when absence means
   * "none" (null in Config) or when the default follows from another key (rules.ts). */
  readonly default?: unknown;
}

export type KeyTable = Readonly<Record<string, KeySpec>>;

// ---------------------------------------------------------------------------------------------
// Value checks

/** `addr@example.com` or `Display Name <addr@example.com>`. */
const isFromAddress = (s: string): boolean => {
  const named = /^[^<>]*<([^<>]+)>$/.exec(s.trim());
  return named?.[1] !== undefined ? isMailbox(named[1]) : isMailbox(s);
};

/** `192.0.2.53`, `192.0.2.53:5353`, `2001:db8::53`, `[2001:db8::53]:5353` — the forms node's
 * `dns.Resolver#setServers` takes. */
export const isDnsServer = (s: string): boolean => {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(s);
  if (bracketed) return isIP(bracketed[1] ?? '') === 6 && isPort(bracketed[2]);
  if (isIP(s) !== 0) return true;
  const withPort = /^([^:]+):(\d{1,5})$/.exec(s);
  return withPort !== null && isIP(withPort[1] ?? '') === 4 && isPort(withPort[2]);
};

const isPort = (digits: string | undefined): boolean =>
  digits === undefined || (Number(digits) >= 1 && Number(digits) <= 65535);

/** Field ranges of a cron expression: optional seconds, then minute hour day-of-month month
 * day-of-week (the node-cron dialect, where day-of-week 7 is also Sunday). */
const CRON_FIELDS: readonly (readonly [min: number, max: number, names?: readonly string[]])[] = [
  [0, 59],
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12, ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']],
  [0, 7, ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']],
];

export const isCronExpression = (s: string): boolean => {
  const fields = s.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) return false;
  const ranges = fields.length === 6 ? CRON_FIELDS : CRON_FIELDS.slice(1);
  return fields.every((field, i) => {
    const range = ranges[i];
    return range !== undefined && field.split(',').every((item) => isCronItem(item, range));
  });
};

const isCronItem = (item: string, [min, max, names]: readonly [number, number, (readonly string[])?]): boolean => {
  const m = /^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/(\d+))?$/i.exec(item);
  if (!m || m[1] === undefined) return false;
  if (m[2] !== undefined && Number(m[2]) < 1) return false;
  if (m[1] === '*') return true;
  const value = (word: string): number | null => {
    const named = names?.indexOf(word.toLowerCase()) ?? -1;
    // Named months count from 1 (jan = 1); named weekdays from 0 (sun = 0).
    if (named >= 0) return min === 1 ? named + 1 : named;
    return /^\d+$/.test(word) ? Number(word) : null;
  };
  const bounds = m[1].split('-').map(value);
  return bounds.every((v) => v !== null && v >= min && v <= max) && (bounds.length === 1 || bounds[0]! <= bounds[1]!);
};

// ---------------------------------------------------------------------------------------------
// Key constructors

const nonEmpty = z.string().trim().min(1);

function text(expected: string, example: string): KeySpec<typeof nonEmpty>;
function text<S extends z.ZodType<string>>(expected: string, example: string, schema: S): KeySpec<S>;
function text(expected: string, example: string, schema: z.ZodType<string> = nonEmpty): KeySpec {
  return { schema, coerce: 'string', expected, example };
}

function secret(example: string): KeySpec<z.ZodType<string>> {
  return { schema: z.string().min(1), coerce: 'string', expected: 'a non-empty string', example, secret: true };
}

function path(expected: string, example: string): KeySpec<z.ZodType<string>> {
  return { schema: nonEmpty, coerce: 'string', expected, example, isPath: true };
}

function integer(min: number, max: number, example: number, expected?: string): KeySpec<z.ZodType<number>> {
  return {
    schema: z.number().int().min(min).max(max),
    coerce: 'integer',
    expected: expected ?? `an integer ${min}-${max}`,
    example,
  };
}

function flag(example: boolean): KeySpec<z.ZodType<boolean>> {
  return { schema: z.boolean(), coerce: 'boolean', expected: 'true or false', example };
}

function list(item: z.ZodType<string>, expected: string, example: readonly string[]): KeySpec<z.ZodType<string[]>> {
  return { schema: z.array(item), coerce: 'list', expected, example };
}

const domainName = z
  .string()
  .trim()
  .regex(DOMAIN_NAME)
  .transform((s) => s.toLowerCase());

const hostName = z.union([z.hostname(), z.ipv4(), z.ipv6()]);

const cron = z.string().refine((s) => s.trim() === 'off' || isCronExpression(s));
const cronExpected = 'a cron expression (minute hour day month weekday) or "off"';

// ---------------------------------------------------------------------------------------------
// Sections

export const DATABASE_KEYS = {
  /** Relative to the working directory when it is the default. */
  path: { ...path('a file path (or ":memory:")', 'reports/ruaflow.sqlite'), default: 'reports/ruaflow.sqlite' },
} as const satisfies KeyTable;

export const IMAP_KEYS = {
  host: text('a host name', 'imap.example.com', hostName),
  /** Default: 993 when secure, else 143 (rules.ts). */
  port: integer(1, 65535, 993),
  secure: { ...flag(true), default: true },
  user: text('a user name', 'dmarc@example.com'),
  password: secret('app-password'),
  password_file: path('a file holding the password', '/run/secrets/imap_password'),
  access_token: secret('ya29.token'),
  access_token_file: path('a file holding an OAuth2 access token', '/run/secrets/imap_token'),
  mailbox: { ...text('a mailbox name', 'INBOX'), default: 'INBOX' },
  archive_mailbox: text('a mailbox name', 'DMARC/done'),
  invalid_mailbox: text('a mailbox name', 'DMARC/invalid'),
  not_aggregate_mailbox: text('a mailbox name', 'DMARC/other'),
  /** Default: "move" when archive_mailbox is set, else "seen" (rules.ts). */
  after_processing: text('"move", "seen", "delete" or "leave"', 'seen', z.enum(['move', 'seen', 'delete', 'leave'])),
  idle: { ...flag(true), default: false },
  batch_size: { ...integer(1, 1000, DEFAULT_IMAP_BATCH_SIZE), default: DEFAULT_IMAP_BATCH_SIZE },
  tls_reject_unauthorized: { ...flag(true), default: true },
  ca_file: path('a PEM file path', '/etc/ssl/certs/internal-ca.pem'),
} as const satisfies KeyTable;

export const SMTP_KEYS = {
  host: text('a host name', 'smtp.example.com', hostName),
  /** Default: 465 when secure, else 587 (rules.ts). */
  port: integer(1, 65535, 587),
  /** Default: true on port 465 (rules.ts). */
  secure: flag(false),
  user: text('a user name', 'dmarc@example.com'),
  password: secret('app-password'),
  password_file: path('a file holding the password', '/run/secrets/smtp_password'),
  from: text('an email address', 'DMARC reports <dmarc@example.com>', nonEmpty.refine(isFromAddress)),
} as const satisfies KeyTable;

export const DNS_KEYS = {
  /** None: the system's resolvers. */
  servers: {
    ...list(z.string().refine(isDnsServer), 'a list of IP addresses, each with an optional :port', ['127.0.0.1:5353']),
    default: [],
  },
  timeout_ms: { ...integer(1, 600_000, DEFAULT_DNS_TIMEOUT_MS), default: DEFAULT_DNS_TIMEOUT_MS },
} as const satisfies KeyTable;

/** The formats we can write: RFC 9990 (current) and RFC 7489 for receivers that want the old one. */
export const OUTBOUND_REPORT_FORMATS = ['rfc9990', 'rfc7489'] as const satisfies readonly (OutboundReportFormat & ReportFormat)[];

export const REPORTER_KEYS = {
  org_name: text('an organisation name', 'Example Ltd'),
  email: text('an email address', 'dmarc-reports@example.com', nonEmpty.refine(isMailbox)),
  domain: text('a domain name', 'example.com', domainName),
  extra_contact_info: text('a string', 'https://example.com/dmarc'),
  format: { ...text('"rfc9990" or "rfc7489"', 'rfc9990', z.enum(OUTBOUND_REPORT_FORMATS)), default: 'rfc9990' },
} as const satisfies KeyTable;

export const SCHEDULE_KEYS = {
  /** Every quarter of an hour. */
  poll: { ...text(cronExpected, '*/15 * * * *', cron), default: '*/15 * * * *' },
  /** Monday morning: the week's summary. */
  summary: { ...text(cronExpected, '0 8 * * mon', cron), default: '0 8 * * mon' },
  /** Just after midnight UTC: the day that ended is reported. */
  send_reports: { ...text(cronExpected, '15 0 * * *', cron), default: '15 0 * * *' },
} as const satisfies KeyTable;

export const SUMMARY_KEYS = {
  to: { ...list(z.string().trim().refine(isMailbox), 'a list of email addresses', ['postmaster@example.com']), default: [] },
  /** Send the weekly summary even when nothing was reported: a heartbeat that shows the silence. */
  send_empty: { ...flag(false), default: false },
} as const satisfies KeyTable;

const ipOrRange = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]);

/** A DKIM selector has sub-domain syntax (RFC 6376 §3.1: dots allowed): a domain name's rule. */
const selectorName = domainName;

/** An authorised third-party sender: matched by any of its IP ranges, PTR-name suffixes or DKIM
 * signing domains. A bare string is a shorthand for a service of that name matched by PTR suffix
 * and DKIM domain (`services = ["sendgrid.net"]`). */
const SERVICE_TABLE = z.strictObject({
  name: nonEmpty,
  ips: z.array(ipOrRange).optional(),
  ptr: z.array(domainName).optional(),
  dkim: z.array(domainName).optional(),
});
export const SERVICE_KEYS = ['name', 'ips', 'ptr', 'dkim'] as const;

/** An explicit signing key, beside or instead of `dkim_keys_dir`. */
const KEY_TABLE = z.strictObject({
  selector: selectorName,
  private_key_file: nonEmpty,
  public_key_file: nonEmpty.optional(),
  /** The signing domain (d=) when it is not the domain itself. */
  domain: domainName.optional(),
});
export const KEY_KEYS = ['selector', 'private_key_file', 'public_key_file', 'domain'] as const;

export const DOMAIN_KEYS = {
  name: text('a domain name', 'example.com', domainName),
  dkim_keys_dir: path('a folder path', '/etc/qpsmtpd/dkim'),
  relays: { ...list(ipOrRange, 'a list of IP addresses or CIDR ranges', ['192.0.2.10', '2001:db8::/48']), default: [] },
  services: {
    schema: z.array(z.union([nonEmpty, SERVICE_TABLE])),
    coerce: 'list',
    expected: `a list of service names or tables { ${SERVICE_KEYS.join(', ')} } (ips: IP addresses or CIDR ranges; ptr, dkim: domain names)`,
    example: ['sendgrid.net'],
    default: [],
  },
  keys: {
    schema: z.array(KEY_TABLE),
    coerce: 'list',
    expected: `a list of tables { ${KEY_KEYS.join(', ')} }, e.g. { selector = "s1", private_key_file = "dkim/s1.pem" }`,
    example: [],
    default: [],
  },
  retired_selectors: { ...list(selectorName, 'a list of DKIM selectors we no longer sign with', ['may2013']), default: [] },
  /** Who gets this domain's part of the weekly summary, besides `[summary] to`. */
  summary_to: { ...list(z.string().trim().refine(isMailbox), 'a list of email addresses', ['hostmaster@example.com']), default: [] },
} as const satisfies KeyTable;

export const POLICY_KEYS = {
  known_signers: { ...list(domainName, 'a list of domain names', ['paypal.com', 'ebay.com']), default: [] },
  dkim_whitelist: { ...list(domainName, 'a list of domain names', ['lists.example.org']), default: [] },
  trusted_forwarders: { ...list(domainName, 'a list of domain names (ARC sealers)', ['forwarder.example.net']), default: [] },
} as const satisfies KeyTable;

/** `[outbound]`: sending aggregate reports to other domains (docs/sending-reports.md). Every default is a safe one: few URIs, a cap per run, pacing per destination. */
export const OUTBOUND_KEYS = {
  /** Our own rua mailboxes: mail to them is report mail, and a domain whose only mail was report
   * mail to us gets no report back (no report loops). `[reporter] email` is always included
   * (rules.ts). */
  own_rua: { ...list(z.string().trim().refine(isMailbox), 'a list of email addresses', ['dmarc-rua@example.com']), default: [] },
  allow_domains: { ...list(domainName, 'a list of domain names (each covers its subdomains)', ['example.org']), default: [] },
  deny_domains: { ...list(domainName, 'a list of domain names (each covers its subdomains)', ['spam.example']), default: [] },
  max_rua_uris: { ...integer(1, 100, DEFAULT_OUTBOUND.maxRuaUris), default: DEFAULT_OUTBOUND.maxRuaUris },
  max_reports_per_run: { ...integer(1, 1_000_000, DEFAULT_OUTBOUND.maxReportsPerRun), default: DEFAULT_OUTBOUND.maxReportsPerRun },
  pace_seconds: { ...integer(0, 3600, DEFAULT_OUTBOUND.paceSeconds), default: DEFAULT_OUTBOUND.paceSeconds },
  max_message_bytes: { ...integer(1024, 1024 * 1024 * 1024, DEFAULT_OUTBOUND.maxMessageBytes), default: DEFAULT_OUTBOUND.maxMessageBytes },
  suppress_days: { ...integer(1, 3650, DEFAULT_OUTBOUND.suppressDays), default: DEFAULT_OUTBOUND.suppressDays },
  give_up_after_days: { ...integer(1, 60, DEFAULT_OUTBOUND.giveUpAfterDays), default: DEFAULT_OUTBOUND.giveUpAfterDays },
  /** Relative to the working directory when it is the default. */
  archive_dir: { ...path('a folder path', 'reports/outbound'), default: 'reports/outbound' },
} as const satisfies KeyTable;

const limitKey = (name: keyof Limits): KeySpec<z.ZodType<number>> => ({
  ...integer(1, Number.MAX_SAFE_INTEGER, DEFAULT_LIMITS[name], 'a positive integer'),
  default: DEFAULT_LIMITS[name],
});

/** `[limits]`: the snake_case names from LIMIT_SETTINGS, so an error message's "raise [limits] X"
 * is exactly the key to write. */
export const LIMIT_KEYS: Readonly<Record<string, KeySpec<z.ZodType<number>>>> = Object.fromEntries(
  (Object.keys(LIMIT_SETTINGS) as (keyof Limits)[]).map((name) => [LIMIT_SETTINGS[name], limitKey(name)]),
);

const serveKey = (name: keyof ServeLimits, max: number): KeySpec<z.ZodType<number>> => ({
  ...integer(1, max, DEFAULT_SERVE_LIMITS[name]),
  default: DEFAULT_SERVE_LIMITS[name],
});

/** `[serve]`: the verify service's connection and time limits (ServeLimits in src/limits.ts),
 * named by SERVE_LIMIT_SETTINGS so that an error's "[serve] X" is the key to write. Timeouts are
 * capped at a day: past that, node's timers and any real use part ways. */
export const SERVE_KEYS = {
  [SERVE_LIMIT_SETTINGS.maxConnections]: serveKey('maxConnections', 65535),
  [SERVE_LIMIT_SETTINGS.idleTimeoutMs]: serveKey('idleTimeoutMs', 86_400_000),
  [SERVE_LIMIT_SETTINGS.lineTimeoutMs]: serveKey('lineTimeoutMs', 86_400_000),
  [SERVE_LIMIT_SETTINGS.verifyTimeoutMs]: serveKey('verifyTimeoutMs', 86_400_000),
} as const satisfies KeyTable;

/** `HOST:PORT` or `[IPV6]:PORT`: the shape of a listen address (whether it is loopback is the
 * front end's check, src/web/listen.ts, since it also applies to `--listen`). */
const listenAddress = z.string().trim().regex(/^(?:\[[^\]]+\]|[^:\s]+):\d{1,5}$/);

/** `/ruaflow`, `/tools/dmarc`: a path of plain segments, no final slash, nothing to escape. */
const basePath = z.string().trim().regex(/^(?:\/[A-Za-z0-9._~-]+)+$/);

/** `[web]`: the dashboard of `ruaflow web` (docs/web.md). */
export const WEB_KEYS = {
  /** Loopback only for now: the dashboard has no authentication yet. */
  listen: { ...text('HOST:PORT on a loopback address', '127.0.0.1:8080', listenAddress), default: '127.0.0.1:8080' },
  /** Behind a reverse proxy that forwards `/ruaflow/…` as is: every route and link under it. */
  base_path: { ...text('a path like /ruaflow (a slash, then letters, digits, - _ . / ; no final slash)', '/ruaflow', basePath), default: '' },
} as const satisfies KeyTable;

/** The `[section]` tables, in the order the configuration reference lists them. `[[domains]]` is
 * an array of tables. */
export const SECTIONS = {
  database: DATABASE_KEYS,
  imap: IMAP_KEYS,
  smtp: SMTP_KEYS,
  dns: DNS_KEYS,
  reporter: REPORTER_KEYS,
  schedule: SCHEDULE_KEYS,
  summary: SUMMARY_KEYS,
  policy: POLICY_KEYS,
  limits: LIMIT_KEYS,
  outbound: OUTBOUND_KEYS,
  serve: SERVE_KEYS,
  web: WEB_KEYS,
} as const;

export type SectionName = keyof typeof SECTIONS;
export const SECTION_NAMES = Object.keys(SECTIONS) as SectionName[];
export const DOMAINS = 'domains';

// ---------------------------------------------------------------------------------------------
// The document

type Shape<K extends KeyTable> = { -readonly [P in keyof K]: z.ZodOptional<K[P]['schema']> };

function tableSchema<K extends KeyTable>(keys: K) {
  const shape = Object.fromEntries(Object.entries(keys).map(([key, spec]) => [key, spec.schema.optional()]));
  return z.strictObject(shape as Shape<K>);
}

export const documentSchema = z.strictObject({
  database: tableSchema(DATABASE_KEYS).optional(),
  imap: tableSchema(IMAP_KEYS).optional(),
  smtp: tableSchema(SMTP_KEYS).optional(),
  dns: tableSchema(DNS_KEYS).optional(),
  reporter: tableSchema(REPORTER_KEYS).optional(),
  schedule: tableSchema(SCHEDULE_KEYS).optional(),
  summary: tableSchema(SUMMARY_KEYS).optional(),
  policy: tableSchema(POLICY_KEYS).optional(),
  limits: tableSchema(LIMIT_KEYS).optional(),
  outbound: tableSchema(OUTBOUND_KEYS).optional(),
  serve: tableSchema(SERVE_KEYS).optional(),
  web: tableSchema(WEB_KEYS).optional(),
  domains: z.array(tableSchema(DOMAIN_KEYS)).optional(),
});

/** A validated document: every key optional, values checked, nothing resolved or defaulted yet. */
export type ConfigDocument = z.output<typeof documentSchema>;
