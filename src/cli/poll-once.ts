/** One pass over the rua mailbox, as `ruaflow poll` and `ruaflow run` make it: under the poll
 * lock (a second poller exits 4), the database checked before anything is written, SIGTERM and
 * Ctrl-C finishing the current message first. */
import { requireSoundDatabase, type AppDeps } from '../app/deps.js';
import { mailboxLabel, pollLockPath, pollPassDeps } from '../app/poll-setup.js';
import type { ImapConfig } from '../app/config.js';
import { pollPass, type PollTotals } from '../jobs/poll.js';
import { acquireLock } from '../platform/lock.js';
import type { Logger } from '../ports/logger.js';
import { createImapConnector } from '../sources/imap/connector.js';
import { progressFor } from './progress.js';
import { whileNotStopped } from './stop-signals.js';

export async function pollOnce(app: AppDeps, imap: ImapConfig, log: Logger, options: { readonly quiet: boolean }): Promise<PollTotals> {
  const lock = acquireLock(pollLockPath(app.dbPath, imap), mailboxLabel(imap));
  try {
    requireSoundDatabase(app);
    const deps = pollPassDeps(app, imap, createImapConnector(imap, log), log);
    return await whileNotStopped((signal) => pollPass(deps, { signal, ...(options.quiet ? {} : { progressFor: progressFor('poll') }) }));
  } finally {
    lock.release();
  }
}
