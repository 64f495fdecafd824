/**
 * Typed failures. Protocol outcomes (a DMARC fail, an odd report) are values; these are faults.
 * Each carries a stable `code`; src/cli/exit.ts is the one place that turns them into exit codes
 * and messages.
 */

export type ErrorCode =
  | 'usage'
  | 'config'
  | 'limit_exceeded'
  | 'malformed_input'
  | 'report_rejected'
  | 'database'
  | 'database_missing'
  | 'database_corrupt'
  | 'database_too_new'
  | 'io'
  | 'locked'
  | 'mailbox'
  | 'smtp'
  | 'verify_timeout';

export abstract class RuaflowError extends Error {
  abstract readonly code: ErrorCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The command line was wrong: unknown flag, missing argument. Exit 2. */
export class UsageError extends RuaflowError {
  readonly code = 'usage' as const;
}

/** The configuration file or environment is invalid. Names the key and the file. Exit 2. */
export class ConfigError extends RuaflowError {
  readonly code = 'config' as const;
}

/** One input is bad: it is recorded as invalid with this message, and the batch goes on. */
export abstract class InputError extends RuaflowError {}

/** A size or count cap was hit. `setting` is the config key that raises it (src/extract/limits.ts). */
export class LimitExceededError extends InputError {
  readonly code = 'limit_exceeded' as const;
  constructor(
    readonly setting: string,
    readonly limit: number,
    what: string,
  ) {
    super(`${what} exceeds the limit of ${limit} (raise [limits] ${setting} to accept it)`);
  }
}

/** The bytes are not what they claim: corrupt gzip/zip, undecodable MIME, not XML. */
export class MalformedInputError extends InputError {
  readonly code = 'malformed_input' as const;
}

/** The XML was read but required data is missing or unrecoverable; the message names the element. */
export class ReportRejectedError extends InputError {
  readonly code = 'report_rejected' as const;
}

/** The database could not be opened, migrated or written. Exit 1. */
export class DatabaseError extends RuaflowError {
  readonly code = 'database' as const;
}

/** A command that only reads was pointed at a database file that does not exist (a mistyped
 * `--db`): it names the path and creates nothing. Exit 2, like any wrong argument. */
export class DatabaseMissingError extends RuaflowError {
  readonly code = 'database_missing' as const;
}

/** The database file is damaged: SQLite reported SQLITE_CORRUPT or SQLITE_NOTADB, or the
 * integrity check found problems. One line with what happened and how to recover; exit 6. */
export class DatabaseCorruptError extends RuaflowError {
  readonly code = 'database_corrupt' as const;
  constructor(
    readonly path: string,
    /** SQLite's words, or the first problem the integrity check listed. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: the database file is damaged (${detail}); ${recoveryFor(path)}`, options);
  }
}

/** What to do about a damaged database file (docs/reports-in.md "A damaged database"). */
export function recoveryFor(path: string): string {
  const recovered = path.replace(/(\.sqlite3?|\.db)?$/, '-recovered$1');
  return `restore it from a backup, or keep what is readable with sqlite3 ${path} .recover | sqlite3 ${recovered} and ingest the reports again from the archive mailbox (docs/reports-in.md#a-damaged-database)`;
}

/** The database was written by a newer ruaflow: refuse rather than corrupt it. Exit 1. */
export class DatabaseTooNewError extends RuaflowError {
  readonly code = 'database_too_new' as const;
}

/** A file or folder could not be read or written. */
export class IoError extends RuaflowError {
  readonly code = 'io' as const;
}

/** Another ruaflow is already doing this job (the poll lock is held). Exit 4. */
export class LockedError extends RuaflowError {
  readonly code = 'locked' as const;
}

/** Why the mailbox could not be used: wrong credentials and a missing mailbox are configuration
 * problems (exit 2); a refused connection, TLS failure or a lost connection fail the run (exit 1),
 * and so does `refused`: the server answered NO to a command on a healthy connection (a folder it
 * will not create, a quota), or lacks what a safe move/delete needs (MOVE or UIDPLUS). */
export type MailboxErrorKind = 'auth' | 'connect' | 'tls' | 'mailbox-missing' | 'lost' | 'refused';

export class MailboxError extends RuaflowError {
  readonly code = 'mailbox' as const;
  constructor(
    readonly kind: MailboxErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Our SMTP relay refused us, not the message: wrong credentials (`auth`, a configuration
 * problem, exit 2) or a certificate we do not trust (`tls`, exit 1). A 4xx/5xx reply for a
 * message is an outcome (src/ports/mail.ts), not this error. */
export class SmtpError extends RuaflowError {
  readonly code = 'smtp' as const;
  constructor(
    readonly kind: 'auth' | 'tls',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `ruaflow verify` gave up at `[serve] verify_timeout_ms` (DNS too slow): nothing was recorded,
 * and the MTA is told to try again later — exit 75, the code of a deferral. */
export class VerifyTimeoutError extends RuaflowError {
  readonly code = 'verify_timeout' as const;
}
