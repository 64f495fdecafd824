/**
 * The configuration as every part of ruaflow receives it: complete, validated, defaults applied,
 * paths absolute. Only types live here, on the lowest layer, so that the adapters, steps and jobs
 * that are handed a piece of it can name its shape; src/app/config.ts builds the value from the
 * TOML file and the environment.
 */
import type { Limits, ServeLimits } from '../limits.js';

/** The formats we can write: RFC 9990 (current) and RFC 7489 for receivers that want the old one. */
export type OutboundReportFormat = 'rfc9990' | 'rfc7489';

export interface Config {
  /** The configuration file as it was named (for messages), or null when running on defaults. */
  readonly file: string | null;
  readonly database: { readonly path: string };
  /** null when no `[imap]` is configured: nothing to poll. */
  readonly imap: ImapConfig | null;
  /** null when no `[smtp]` is configured: nothing can be mailed. */
  readonly smtp: SmtpConfig | null;
  readonly dns: DnsConfig;
  readonly reporter: ReporterConfig;
  readonly schedule: ScheduleConfig;
  readonly summary: SummaryConfig;
  /** Our own domains (`[[domains]]`), in file order. */
  readonly domains: readonly DomainConfig[];
  readonly policy: PolicyConfig;
  readonly limits: Limits;
  readonly outbound: OutboundConfig;
  /** `[serve]`: connection and time limits of `ruaflow serve`. */
  readonly serve: ServeLimits;
  /** `[web]`: the dashboard of `ruaflow web`. */
  readonly web: WebConfig;
}

/** `[web]` (docs/web.md). */
export interface WebConfig {
  /** `HOST:PORT` as written (default 127.0.0.1:8080); `ruaflow web` refuses a non-loopback host. */
  readonly listen: string;
  /** `/ruaflow` behind a reverse proxy; '' (the default) serves at the root. */
  readonly basePath: string;
}

/** `[outbound]`: how aggregate reports to other domains are sent (src/jobs/send-reports.ts). */
export interface OutboundConfig {
  /** Our own rua mailboxes, lower-cased, `[reporter] email` included. */
  readonly ownRua: readonly string[];
  /** When not empty, only these policy domains (and their subdomains) get reports. */
  readonly allowDomains: readonly string[];
  /** These policy domains (and their subdomains) never get reports. */
  readonly denyDomains: readonly string[];
  /** rua URIs used per report, in the order published (RFC 9990 §3: a receiver's own limit). */
  readonly maxRuaUris: number;
  /** Messages handed to the relay per run; the rest wait for the next run. */
  readonly maxReportsPerRun: number;
  /** At least this many seconds between two messages to the same destination host. */
  readonly paceSeconds: number;
  /** No report message larger than this is sent, whatever the URI allows. */
  readonly maxMessageBytes: number;
  /** How long a permanently failing address stays suppressed. */
  readonly suppressDays: number;
  /** A delivery still deferred this long after the report was built is given up (recorded). */
  readonly giveUpAfterDays: number;
  /** Every sent report is archived here (absolute). */
  readonly archiveDir: string;
}

export interface ImapConfig {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (993); false means STARTTLS on a plain port (143). */
  readonly secure: boolean;
  readonly user: string;
  /** The password, also when it came from `password_file` (filled in by loadConfig). */
  readonly password: string | null;
  readonly passwordFile: string | null;
  /** OAuth2 bearer token (XOAUTH2), instead of a password. */
  readonly accessToken: string | null;
  readonly accessTokenFile: string | null;
  /** Where reports arrive. */
  readonly mailbox: string;
  /** Where a message goes once its reports are committed; null leaves it in place (marked seen). */
  readonly archiveMailbox: string | null;
  /** Where a message with invalid reports goes; null leaves it in place. */
  readonly invalidMailbox: string | null;
  /** Where mail that is not an aggregate report goes (failure reports, TLS-RPT, spam); null leaves it. */
  readonly notAggregateMailbox: string | null;
  /** What happens to a message whose reports were stored (or were duplicates): moved to
   * archive_mailbox (the default when it is set), marked \Seen (the default otherwise), deleted,
   * or left as it is. */
  readonly afterProcessing: 'move' | 'seen' | 'delete' | 'leave';
  /** Wait for new mail with IMAP IDLE between scheduled polls. */
  readonly idle: boolean;
  /** Messages fetched and committed together (memory and round trips against lost work). */
  readonly batchSize: number;
  readonly tlsRejectUnauthorized: boolean;
  readonly caFile: string | null;
}

export interface SmtpConfig {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (465); false means STARTTLS when offered (587, 25). */
  readonly secure: boolean;
  readonly user: string | null;
  readonly password: string | null;
  readonly passwordFile: string | null;
  /** `addr@example.com` or `Name <addr@example.com>`. */
  readonly from: string;
}

export interface DnsConfig {
  /** `ip` or `ip:port` (`[v6]:port`); empty means the system resolver. */
  readonly servers: readonly string[];
  readonly timeoutMs: number;
}

/** Who we are in the reports we send (RFC 9990 §3 report_metadata). */
export interface ReporterConfig {
  readonly orgName: string | null;
  readonly email: string | null;
  readonly domain: string | null;
  readonly extraContactInfo: string | null;
  readonly format: OutboundReportFormat;
}

/** Cron expressions for `ruaflow daemon`; null means the job is not scheduled ("off"). */
export interface ScheduleConfig {
  readonly poll: string | null;
  readonly summary: string | null;
  readonly sendReports: string | null;
}

export interface SummaryConfig {
  readonly to: readonly string[];
  /** Send even when no report arrived in the period (a heartbeat). */
  readonly sendEmpty: boolean;
}

export interface DomainConfig {
  /** Lower-cased. */
  readonly name: string;
  /** `<dir>/<domain>/{selector,private,public}` (seed 001); absolute. */
  readonly dkimKeysDir: string | null;
  /** Explicit signing keys (`keys = [{ selector, private_key_file, … }]`); paths absolute. */
  readonly keys: readonly KeyFileConfig[];
  /** Selectors we used to sign with and no longer do: a signature with one is "retired". */
  readonly retiredSelectors: readonly string[];
  /** Our outbound MTAs: IP addresses or CIDR ranges. */
  readonly relays: readonly string[];
  /** Third parties allowed to send as this domain. */
  readonly services: readonly ServiceConfig[];
  /** Recipients of this domain's own weekly summary (`summary_to`), besides `[summary] to`. */
  readonly summaryTo: readonly string[];
}

export interface KeyFileConfig {
  readonly selector: string;
  readonly privateKeyFile: string;
  readonly publicKeyFile: string | null;
  /** d= when it differs from the domain; null means the domain itself. */
  readonly domain: string | null;
}

/** An authorised third-party sender, matched by IP range, PTR-name suffix or DKIM domain. */
export interface ServiceConfig {
  readonly name: string;
  readonly ips: readonly string[];
  /** Lower-cased suffixes: `sendgrid.net` matches `o1.ptr1234.sendgrid.net`. */
  readonly ptr: readonly string[];
  /** DKIM signing domains (d=) the service uses for our mail. */
  readonly dkim: readonly string[];
}

/** Receiver policy (seed 000). Domain names, lower-cased. */
export interface PolicyConfig {
  /** Must present a passing DKIM signature, or the message is rejected. */
  readonly knownSigners: readonly string[];
  /** Accepted despite a broken DKIM signature. */
  readonly dkimWhitelist: readonly string[];
  /** ARC sealers (RFC 8617) whose passing chain overrides a DMARC failure (trusted_forwarder). */
  readonly trustedForwarders: readonly string[];
}
