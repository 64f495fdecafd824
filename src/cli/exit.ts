/**
 * The one place where outcomes and errors become exit codes and messages (docs/json-output.md).
 *
 *   0  everything stored, or already stored (duplicates), or not a report
 *   1  the run itself failed (database, I/O, a bug)
 *   2  usage or configuration error
 *   3  some inputs were invalid; the rest were stored
 *   4  another ruaflow is already processing this mailbox (the lock is held)
 *   5  `ruaflow check` found problems (at least one check failed)
 *   6  the database file is damaged (SQLite: SQLITE_CORRUPT, SQLITE_NOTADB; `ruaflow db check`)
 *
 * `ruaflow verify` says what to do with the message (docs/verifying-mail.md "Output and exit codes"):
 *   0  accept     10  quarantine (deliver to the junk folder)
 *  75  defer (EX_TEMPFAIL of sysexits.h: MTAs and pipe filters already read it as "try later")
 *  69  reject (EX_UNAVAILABLE: a pipe filter's permanent failure)
 * 1 and 2 keep their meaning, so an MTA wrapper can tell "ruaflow failed" from a decision.
 */
import { MailboxError, RuaflowError, SmtpError } from '../errors.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, someInvalid: 3, busy: 4, checkFailed: 5, corrupt: 6 } as const;

/** `ruaflow verify`: one code per decision. */
export const DECISION_EXIT = { accept: 0, quarantine: 10, defer: 75, reject: 69 } as const satisfies Record<'accept' | 'quarantine' | 'defer' | 'reject', number>;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT] | typeof DECISION_EXIT.defer;

export function exitCodeFor(error: unknown): ExitCode {
  // What commander still throws itself is help or the version printed (src/cli/program.ts turns
  // its usage errors into UsageError).
  if (isCommanderOutcome(error)) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof RuaflowError) {
    switch (error.code) {
      case 'usage':
      case 'config':
      case 'database_missing':
        return EXIT.usage;
      case 'limit_exceeded':
      case 'malformed_input':
      case 'report_rejected':
        return EXIT.someInvalid;
      case 'database':
      case 'database_too_new':
      case 'io':
        return EXIT.failed;
      case 'locked':
        return EXIT.busy;
      case 'database_corrupt':
        return EXIT.corrupt;
      case 'mailbox':
        return error instanceof MailboxError && (error.kind === 'auth' || error.kind === 'mailbox-missing') ? EXIT.usage : EXIT.failed;
      case 'smtp':
        return error instanceof SmtpError && error.kind === 'auth' ? EXIT.usage : EXIT.failed;
      case 'verify_timeout':
        // Not verified in time: the message is deferred, as serve answers it (EX_TEMPFAIL).
        return DECISION_EXIT.defer;
    }
  }
  return EXIT.failed;
}

/** One line for the user (null: nothing to add, the help or version was printed); a stack trace
 * only for what is a bug (not a RuaflowError), and only with RUAFLOW_DEBUG set. */
export function messageFor(error: unknown): string | null {
  if (isCommanderOutcome(error)) return error.exitCode === 0 ? null : `ruaflow: ${error.message.replace(/^error: /, '')}`;
  if (error instanceof RuaflowError) return `ruaflow: ${error.message}`;
  const text = error instanceof Error ? error.message : String(error);
  const trace = process.env['RUAFLOW_DEBUG'] !== undefined && error instanceof Error ? `\n${error.stack ?? ''}` : '';
  return `ruaflow: unexpected error: ${text}${trace}`;
}

/** What commander throws (its CommanderError: a `commander.*` code and an exit code), recognised by
 * shape so that this module does not load commander — `ruaflow --version` never needs it. */
function isCommanderOutcome(error: unknown): error is Error & { readonly code: string; readonly exitCode: number } {
  if (!(error instanceof Error)) return false;
  const { code, exitCode } = error as { code?: unknown; exitCode?: unknown };
  return typeof code === 'string' && code.startsWith('commander.') && typeof exitCode === 'number';
}
