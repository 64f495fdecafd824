/**
 * Every limit and tunable in one place, each with the reason for its value, so that a limit
 * is found, judged and raised in one file rather than hunted through the code.
 *
 * First the size and count caps on input: each has the name of the `[limits]` setting that raises
 * it; exceeding one is a LimitExceededError naming that setting, never an out-of-memory. Then the
 * verify service's bounds on connections and time (`ruaflow serve`), with their `[serve]`
 * settings: what a hostile or stuck client may hold, and for how long. Then the defaults of other
 * settings (src/app/config/schema.ts reads them from here), and the fixed tunables of the code:
 * retry schedules, timeouts, cache sizes and batch sizes, and how much of a stranger's text is
 * kept or quoted.
 *
 * Protocol numbers that are not ours to tune stay beside the code that implements them, with
 * their RFC: the SPF lookup limits (RFC 7208 §4.6.4), the DMARC tree walk's label bound (RFC 9989
 * §4.10), the DKIM per-row bound (RFC 9990 §3), key sizes (RFC 8301), TXT string length, and the
 * constants of the gzip and zip formats.
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
  /** DKIM signatures verified per received message (`ruaflow verify` / `serve`); the rest are
   * not checked, and the result says how many (RFC 6376 §6.1 lets a verifier limit them). Each
   * costs a DNS key lookup and a public-key operation, and a sender can add as many as it likes.
   * Real mail carries one to three (the author, an ESP, a list or forwarder); 10 leaves room for
   * long forwarding chains, and those that can align with From are checked first. */
  readonly maxDkimSignatures: number;
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
  maxDkimSignatures: 10,
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
  maxDkimSignatures: 'max_dkim_signatures',
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

// ---------------------------------------------------------------------------------------------
// Defaults of settings. Each is the default of the key named beside it; src/app/config/schema.ts
// reads it from here, so the value is written once.

/** `[outbound]` (src/jobs/send-reports.ts): sending aggregate reports to other domains. Every
 * default is a safe one: few URIs, a cap per run, pacing per destination. */
export const DEFAULT_OUTBOUND = {
  /** `max_rua_uris`: a domain may publish many rua URIs, and each is one more message; three
   * covers a domain's own mailbox plus two third-party services, the common real-world maximum. */
  maxRuaUris: 3,
  /** `max_reports_per_run`: a first run after months of data must not hand the relay thousands of
   * messages at once (relays rate-limit and blocklist bursts); the rest wait for the next run. */
  maxReportsPerRun: 1000,
  /** `pace_seconds`: between two messages to the same destination host, so one receiver is not
   * flooded by one run. */
  paceSeconds: 2,
  /** `max_message_bytes`: 10 MiB, the common default message-size limit of mail servers
   * (Postfix's message_size_limit is 10,240,000); a larger report would bounce anyway. */
  maxMessageBytes: 10 * 1024 * 1024,
  /** `suppress_days`: a permanently failing address (5xx) is not tried again for a month, long
   * enough to stop hammering a dead mailbox, short enough to notice it was fixed. */
  suppressDays: 30,
  /** `give_up_after_days`: a report still deferred after this long is stale for its receiver;
   * four days also outlasts a long weekend of a receiver's outage. */
  giveUpAfterDays: 4,
} as const;

/** `[dns] timeout_ms`: one DNS query, all servers and retries together. 5 s is the resolver
 * default of glibc (resolv.conf `timeout:5`); an answer later than that is not coming. */
export const DEFAULT_DNS_TIMEOUT_MS = 5000;

/** `[imap] batch_size`: messages fetched and committed per round of a poll. Small enough that a
 * crash loses (and re-reads) little, large enough that a backlog of thousands needs few rounds. */
export const DEFAULT_IMAP_BATCH_SIZE = 50;

// ---------------------------------------------------------------------------------------------
// Sending: retries, timeouts, what is kept of a reply

/** Waits before a deferred report delivery is tried again (src/receiver/retry-schedule.ts): 15 min,
 * 1 h, 4 h, 12 h, then every 24 h until `give_up_after_days`. Quick at first for a relay's short
 * hiccup, then spread out like an MTA's own queue (RFC 5321 §4.5.4.1: retry at least 30 minutes
 * apart after the first, give up after 4-5 days). */
export const DELIVERY_RETRY_SECONDS = [15 * 60, 60 * 60, 4 * 60 * 60, 12 * 60 * 60, 24 * 60 * 60] as const;

/** After a deferral (4xx, or the relay unreachable), the scheduled summary tries the messages
 * still unsent again after these waits (1, 5, 20, 60 min) — within a few hours, not a week later
 * at the next run. */
export const SUMMARY_RETRY_DELAYS_MS: readonly number[] = [60_000, 5 * 60_000, 20 * 60_000, 60 * 60_000];

/** rua URIs read from an external destination's own DMARC record when it names a replacement
 * address (RFC 9990 §3 "Verifying External Destinations"): only the one on the same host is
 * used, so reading up to the largest `[outbound] max_rua_uris` allowed misses none. */
export const EXTERNAL_RUA_URIS_READ = 100;

/** Characters of an SMTP reply kept with a delivery or a suppression: enough for the reply code,
 * the enhanced status and the server's explanation; a multi-line banner of policy text is not
 * worth a database row's bulk. */
export const STORED_REPLY_CHARS = 500;

/** Per-connection SMTP timeouts (connect, greeting, each command) when the caller names none
 * (src/platform/smtp-transport.ts). RFC 5321 §4.5.3.2 asks a client to wait minutes for some
 * replies; a minute bounds a dead relay without cutting off a slow one. */
export const SMTP_TIMEOUT_MS = 60_000;

/** The weekly summary's SMTP timeouts: shorter than SMTP_TIMEOUT_MS, since a summary that is not
 * sent is retried (SUMMARY_RETRY_DELAYS_MS) and should not hold the daemon's run. */
export const SUMMARY_SMTP_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// DNS and reverse DNS

/** Tries of each DNS server per query (c-ares `tries`), each given `[dns] timeout_ms` divided by
 * this: one lost UDP packet is retried, and the whole query still ends within the timeout. */
export const DNS_TRIES = 2;

/** Seconds a DNS answer is reused by our resolver cache (src/platform/dns-resolver.ts). node's
 * resolver does not expose TTLs for TXT/MX/PTR; five minutes is shorter than nearly every
 * published record's TTL, and long enough for a run that asks the same names again and again. */
export const DNS_CACHE_SECONDS = 300;

/** Answers kept in that cache before the oldest are dropped: a year of reports names a few tens
 * of thousands of distinct names; each entry is a few hundred bytes. */
export const DNS_CACHE_ENTRIES = 50_000;

/** Parsed DMARC records kept by their text in the verify service (src/receiver/verify.ts): a busy
 * service sees the same few thousand records again and again; the cache is cleared when full. */
export const PUBLISHED_POLICY_CACHE_ENTRIES = 10_000;

// Reverse-DNS names of source IPs (src/analyze/ptr-names.ts), cached in the database.

/** How long a cached PTR answer is used before it is asked again: a day, since names of sending
 * hosts rarely change and a summary must not redo thousands of lookups. */
export const PTR_CACHE_TTL_SECONDS = 86_400;
/** PTR lookups in flight at once: enough to hide DNS latency, few enough not to look like a scan
 * to the resolver. */
export const PTR_CONCURRENCY = 8;
/** Bound on one IP's lookups, PTR and forward confirmation together. */
export const PTR_LOOKUP_TIMEOUT_MS = 10_000;
/** IPs looked up in DNS per run: a first run over a year of reports must not spend an hour on
 * reverse DNS; the rest stay unknown and are asked on a later run. */
export const PTR_MAX_LOOKUPS_PER_RUN = 2000;
/** Names of one PTR answer that are forward-confirmed; more is a misconfigured zone, not worth a
 * query each. */
export const PTR_NAMES_CHECKED = 3;

// Reverse DNS for a summary (src/cli/commands/summary.ts): bounded so that slow reverse DNS never
// holds the summary up for long; the names not found come from the cache next time.

/** One round of a summary's PTR lookups as a whole. */
export const SUMMARY_PTR_BUDGET_MS = 8000;
/** One IP's lookups for a summary, at most (never more than `[dns] timeout_ms` either). */
export const SUMMARY_PTR_TIMEOUT_MS = 3000;
/** More in flight than PTR_CONCURRENCY: the budget is short and the lookups independent. */
export const SUMMARY_PTR_CONCURRENCY = 16;

// ---------------------------------------------------------------------------------------------
// IMAP (src/sources/imap/)

/** UIDs per FETCH / STORE / MOVE command. Memory does not depend on it (imapflow hands FETCH
 * responses over one at a time, with backpressure on the socket); it keeps a command line of
 * scattered UIDs short (servers cap lines at 8-64 KB). */
export const IMAP_UIDS_PER_COMMAND = 200;
/** LOGOUT at close(): a dead or slow server must not hold the process (SIGTERM, end of a run). */
export const IMAP_LOGOUT_TIMEOUT_MS = 3_000;
/** Ending IDLE (DONE + NOOP) after news or abort. */
export const IMAP_IDLE_STOP_TIMEOUT_MS = 3_000;
/** Pause before IDLE again when the server ended the previous one at once. */
export const IMAP_IDLE_RETRY_MS = 1_000;
/** DNS + TCP + TLS handshake, and separately the wait for the greeting. */
export const IMAP_CONNECT_TIMEOUT_MS = 30_000;
/** IDLE is restarted this often: RFC 2177 §3 has servers drop an IDLE after 30 minutes without
 * activity, and NATs forget quiet connections sooner. */
export const IMAP_IDLE_RESTART_MS = 10 * 60_000;
/** The daemon, after a failed IDLE connection, waits this long before trying again: a server that
 * is down is not asked twice a second. */
export const DAEMON_IDLE_RETRY_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// The store (src/store/) and the jobs that write to it

/** Group commit for bulk ingestion (src/store/commit-group.ts): a group is committed when it holds
 * this many inputs or is this old. A commit writes every touched index page to the WAL, so
 * committing each small report e-mail on its own costs more than parsing it (bench: 10,000
 * e-mails, ~1.3 ms of 3.5 ms per message); half a second loses little on a crash. */
export const COMMIT_GROUP_MAX_INPUTS = 500;
export const COMMIT_GROUP_MAX_MS = 500;

/** How long a connection (a writer, or the read-only evaluation reader) waits for another
 * writer's SQLite lock before failing: a poll and a summary may overlap; ten seconds outlasts any
 * one of our write transactions. */
export const SQLITE_BUSY_TIMEOUT_MS = 10_000;

/** Records held before they are inserted together (src/store/reports.ts). */
export const RECORDS_PER_INSERT = 100;

/** Keys per IN (…) query (src/store/inputs.ts): well under SQLite's bound-parameter limit
 * (SQLITE_MAX_VARIABLE_NUMBER, 999 in older builds). */
export const KEYS_PER_QUERY = 500;

/** Records classified together (src/jobs/classify-stored.ts): bounded memory, one short write
 * transaction each. */
export const CLASSIFY_BATCH = 1000;

// ---------------------------------------------------------------------------------------------
// Input and what is shown of it

/** How many distinct issue codes one report keeps; repeats of a code only raise its count. A
 * hostile report could otherwise make its issue list as large as itself. */
export const MAX_DISTINCT_ISSUES = 200;

/** FNAME, FCOMMENT and FEXTRA make a gzip header variable (RFC 1952 §2.3); no sane writer gets
 * near this, and without a bound an endless file name would be buffered whole. */
export const MAX_GZIP_HEADER_BYTES = 64 * 1024;

/** Bytes an mbox file is read in (src/sources/mbox.ts): large enough that the per-chunk work is
 * negligible, small enough that a multi-gigabyte mbox never sits in memory. */
export const MBOX_CHUNK_BYTES = 1024 * 1024;

/** A header value kept by the verify service: RFC 5322 §2.1.1 caps a line at 998 characters, so
 * anything longer is not a header a conforming sender wrote. */
export const HEADER_VALUE_MAX_CHARS = 998;

/** Input files larger than this are read from disk piece by piece as they are hashed and parsed
 * (src/sources/files.ts), so a 400 MB plain XML report costs no more memory than the same report
 * gzipped; smaller files are read whole: one read call beats a loop of them for the few-KB report
 * files that are nearly all of them, and holding 8 MiB for a moment costs nothing. */
export const STREAM_FILE_BYTES = 8 * 1024 * 1024;

/** A record's `<count>` above this is flagged on its report (issue `record.count_implausible`) and
 * kept as written. The schemas say only xs:integer, but one source sending more than 2^32 - 1
 * (4,294,967,295) messages in one report period — about 50,000 a second for a day, from one
 * address — does not happen; such a value is an overflowed or uninitialised 32-bit counter in
 * the reporter (2^32 exactly is the classic wrap-around) or a forgery, and would swamp every sum. */
export const MAX_PLAUSIBLE_RECORD_COUNT = 0xffff_ffff;

/** A date_range bound after this (2100-01-01T00:00:00Z) is flagged on its report (issue
 * `date_range.far_future`) and kept as written. Reports cover the past, but the parser is pure and
 * has no clock to compare with, so the bound is fixed: far enough ahead that no real report
 * reaches it, and before 2106-02-07, where 32-bit unsigned seconds (2^32 - 1, a sentinel some
 * writers use) end. */
export const FAR_FUTURE_EPOCH = 4_102_444_800;

/** Characters of an input's value quoted in an issue or an error (a bad source_ip, text before
 * <feedback>, a configuration value): enough to recognise it, never a whole hostile document. */
export const QUOTED_VALUE_CHARS = 60;

/** Characters of a bad date_range value quoted in the error that rejects the report. */
export const QUOTED_DATE_CHARS = 40;

/** The longest period a summary or a query may cover: ten years of days, beyond any retention;
 * a larger number is a typo, and would make day-by-day work needlessly long. */
export const MAX_PERIOD_DAYS = 3660;

// ---------------------------------------------------------------------------------------------
// The verify service (`ruaflow serve`) besides its `[serve]` settings

/** At most one `connection refused` log line per this many milliseconds: a client retrying in a
 * loop must not fill the log. */
export const REFUSAL_LOG_INTERVAL_MS = 1000;

// The HTML summary (src/deliver/summary-html.ts).

/** A DMARC pass rate at or above this is shown green. Real domains with working DKIM and SPF
 * rarely reach 100 %: forwarders and mailing lists break some mail, and forgers fail by design,
 * so the last percent is mostly mail that is not ours to fix. */
export const SUMMARY_PASS_RATE_GOOD = 0.99;
/** At or above this (and below GOOD) amber, below it red: when more than one message in twenty
 * fails, a legitimate source is very likely failing too (or a spoofing wave is on). */
export const SUMMARY_PASS_RATE_FAIR = 0.95;
/** Days in the summary's per-day chart, at most: a month is a readable column of rows in an
 * e-mail; `--period all` over a year shows its last month. */
export const SUMMARY_CHART_DAYS = 31;

// ---------------------------------------------------------------------------------------------
// The runtime

/** The oldest Node.js major version ruaflow runs on (package.json "engines"): better-sqlite3 13
 * is built for Node 22's ABI and crashes older ones with a segmentation fault, so the bin checks
 * this before it loads anything (src/cli/node-version.ts). */
export const MIN_NODE_MAJOR = 22;

// ---------------------------------------------------------------------------------------------
// The database's integrity (`ruaflow db check`, the daemon's daily check)

/** Problems an integrity check lists at most: SQLite's own default for `PRAGMA integrity_check`
 * (its N argument). A file damaged further is damaged; the first hundred say where. */
export const DB_CHECK_MAX_PROBLEMS = 100;

/** When the daemon runs its quick check of the database (cron, local time): daily, at an hour
 * when little else runs — after send_reports (00:15 by default), before the Monday summary
 * (08:00). quick_check reads the whole file once (about a second per 200 MB), so it is not run
 * more often than a backup would be taken. */
export const DB_CHECK_CRON = '45 3 * * *';
