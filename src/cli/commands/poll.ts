/** `ruaflow poll`: one pass over the rua mailbox. */
import { damaged, loadAppConfig, openApp, requireSoundDatabase } from '../../app/deps.js';
import { mailboxLabel, pollLockPath, pollPassDeps, requireImap } from '../../app/poll-setup.js';
import { pollPass } from '../../jobs/poll.js';
import { acquireLock } from '../../platform/lock.js';
import { createLogger } from '../../platform/logger.js';
import { createImapConnector } from '../../sources/imap/connector.js';
import { EXIT } from '../exit.js';
import type { CommonOptions } from '../options.js';
import { pollJson, renderPoll } from '../poll-output.js';
import { progressFor } from '../progress.js';
import { whileNotStopped } from '../stop-signals.js';

export async function run(values: CommonOptions): Promise<number> {
  const config = await loadAppConfig(values);
  const imap = requireImap(config);
  const app = openApp(config, values.db);
  const log = createLogger({ quiet: values.quiet === true });
  let lock: ReturnType<typeof acquireLock> | null = null;
  try {
    lock = acquireLock(pollLockPath(app.dbPath, imap), mailboxLabel(imap));
    requireSoundDatabase(app);
    // SIGTERM / Ctrl-C: finish the current message, commit, file it, then stop.
    const deps = pollPassDeps(app, imap, createImapConnector(imap, log), log);
    const totals = await whileNotStopped((signal) => pollPass(deps, { signal, ...(values.quiet === true ? {} : { progressFor: progressFor('poll') }) }));
    process.stdout.write(values.json === true ? `${JSON.stringify(pollJson(imap.mailbox, totals))}\n` : renderPoll(imap.mailbox, totals));
    return totals.invalid > 0 ? EXIT.someInvalid : EXIT.ok;
  } catch (error) {
    throw damaged(error, app.dbPath);
  } finally {
    lock?.release();
    app.close();
  }
}
