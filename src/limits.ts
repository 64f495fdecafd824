/**
 * Every size and count cap in one place (docs/configuration.md "Limits"). Each has a reason and the
 * `[limits]` setting that raises it; exceeding one is a LimitExceededError naming that setting,
 * never an out-of-memory.
 *
 * The verify service's bounds on connections and time (`ruaflow serve`) live here too, below,
 * with their `[serve]` settings: what a hostile or stuck client may hold, and for how long.
 */

export interface Limits {
  /** A whole message or input file. Reports are small: the largest real ones are ~1 MB zipped.
   * Also caps a zip archive found inside a gzip or zip layer, which is held in memory for random
   * access just like a message. */
  readonly maxMessageBytes: number;
  /** Decompressed bytes per input (all members together): stops gzip/zip bombs. A 100k-record
   * report is ~80-100 MB of XML, so the default leaves room for several of those. */
  readonly maxDecompressedBytes: number;
  /** Members read from one zip archive; real reporters send one. */
  readonly maxZipMembers: number;
  /** Containers inside containers (gzip in gzip, zip in gzip, message/rfc822 in a message). */
  readonly maxNestingDepth: number;
  /** Records per report: the store batches them, this only bounds absurd input. */
  readonly maxRecordsPerReport: number;
  /** One `<record>` (or report_metadata / policy_published) section: a record is < 10 KB even
   * with 100 DKIM signatures; without a cap an unclosed tag would buffer the whole document. */
  readonly maxSectionBytes: number;
  /** Element nesting inside a section; the format is at most 5 deep. */
  readonly maxXmlDepth: number;
  /** Records held back when they come before report_metadata/policy_published (never seen in
   * practice, but not ruled out by the format). */
  readonly maxRecordsBeforeHeader: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxMessageBytes: 64 * 1024 * 1024,
  maxDecompressedBytes: 1024 * 1024 * 1024,
  maxZipMembers: 16,
  maxNestingDepth: 4,
  maxRecordsPerReport: 5_000_000,
  maxSectionBytes: 4 * 1024 * 1024,
  maxXmlDepth: 32,
  maxRecordsBeforeHeader: 10_000,
};

/** The `[limits]` key that raises each cap, used in error messages and config. */
export const LIMIT_SETTINGS: { readonly [K in keyof Limits]: string } = {
  maxMessageBytes: 'max_message_bytes',
  maxDecompressedBytes: 'max_decompressed_bytes',
  maxZipMembers: 'max_zip_members',
  maxNestingDepth: 'max_nesting_depth',
  maxRecordsPerReport: 'max_records_per_report',
  maxSectionBytes: 'max_section_bytes',
  maxXmlDepth: 'max_xml_depth',
  maxRecordsBeforeHeader: 'max_records_before_header',
};

/**
 * `ruaflow serve` (src/jobs/serve.ts): how many clients may hold a connection, and how long each
 * may hold it without making progress. The service has no authentication, so these are what stop
 * one stuck or hostile local client from using up file descriptors, memory or the DNS budget of
 * everyone else. Each is a `[serve]` setting (SERVE_LIMIT_SETTINGS).
 */
export interface ServeLimits {
  /** Open connections. An MTA holds one per concurrent SMTP session or policy worker (Postfix
   * defaults to 100 smtpd processes); beyond the cap a connection is refused with a one-line
   * error, so a client leaking connections cannot exhaust the process's file descriptors. */
  readonly maxConnections: number;
  /** A connection with nothing to answer and no partial request is closed after this long
   * without a byte from the client. Pooled MTA connections reconnect on their own. */
  readonly idleTimeoutMs: number;
  /** Once a request line has started, the rest of it (up to the newline) must arrive within this
   * long: a client trickling a partial line (slowloris) cannot hold a connection and a growing
   * buffer. A 64 MiB message is ~85 MiB of base64, seconds over a local socket. */
  readonly lineTimeoutMs: number;
  /** One message's verification. Each DNS query is already bounded by `[dns] timeout_ms`
   * (default 5 s), but a message can need a chain of them (SPF alone up to 10 lookups with
   * their A/MX follow-ups, RFC 7208 §4.6.4; then DKIM keys, the DMARC record and its tree walk,
   * RFC 9989 §4.10), so this bounds the whole. RFC 7208 §4.6.4: a limit on SPF evaluation time
   * "SHOULD allow at least 20 seconds"; 30 s leaves room for DKIM and DMARC after it. */
  readonly verifyTimeoutMs: number;
}

export const DEFAULT_SERVE_LIMITS: ServeLimits = {
  maxConnections: 256,
  idleTimeoutMs: 60_000,
  lineTimeoutMs: 30_000,
  verifyTimeoutMs: 30_000,
};

/** The `[serve]` key for each, used in error messages and config. */
export const SERVE_LIMIT_SETTINGS: { readonly [K in keyof ServeLimits]: string } = {
  maxConnections: 'max_connections',
  idleTimeoutMs: 'idle_timeout_ms',
  lineTimeoutMs: 'line_timeout_ms',
  verifyTimeoutMs: 'verify_timeout_ms',
};

/** After the service closes a connection (refused, timed out) it waits this long for the
 * client to take the last line and close, then drops it: a client that never reads cannot keep
 * a closed connection's descriptor open. Not a setting: nothing a client does should need more. */
export const SERVE_CLOSE_GRACE_MS = 1000;
