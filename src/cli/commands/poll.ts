/** `ruaflow poll`: one pass over the rua mailbox. */
import { loadAppConfig, openApp, type AppDeps } from '../../app/deps.js';
import { mailboxLabel, pollLockPath, pollPlan, requireImap } from '../../app/poll-setup.js';
import { pollMailbox, type PollTotals } from '../../jobs/poll.js';
import { acquireLock } from '../../platform/lock.js';
import { createLogger } from '../../platform/logger.js';
import type { Logger } from '../../ports/logger.js';
import type { MailboxConnector } from '../../ports/mailbox.js';
import { createImapConnector } from '../../sources/imap/connector.js';
import { CommitGroup } from '../../store/commit-group.js';
import { EXIT } from '../exit.js';
import { refreshClassesOffline } from '../../jobs/classify-stored.js';
import { loadSigningIdentities } from '../../app/signing-keys.js';
import type { CommonOptions } from '../options.js';
import { createProgress } from '../progress.js';

export async function run(values: CommonOptions): Promise<number> {
  const config = await loadAppConfig(values);
  const imap = requireImap(config);
  const app = openApp(config, values.db);
  const log = createLogger({ quiet: values.quiet === true });
  const lock = acquireLock(pollLockPath(app.dbPath, imap), mailboxLabel(imap));
  // SIGTERM / Ctrl-C: finish the current message, commit, file it, then stop.
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    const totals = await pollOnce(createImapConnector(imap, log), app, log, { signal: stop.signal, progress: values.quiet !== true });
    process.stdout.write(values.json ? `${JSON.stringify(pollJson(imap.mailbox, totals))}\n` : renderPoll(imap.mailbox, totals));
    return totals.invalid > 0 ? EXIT.someInvalid : EXIT.ok;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    lock.release();
    app.close();
  }
}

/** Connect, poll, disconnect: shared with the daemon. */
export async function pollOnce(
  connector: MailboxConnector,
  app: AppDeps,
  log: Logger,
  options: { signal?: AbortSignal; progress?: boolean },
): Promise<PollTotals> {
  const imap = requireImap(app.config);
  const session = await connector.open(imap.mailbox);
  let progress: ReturnType<typeof createProgress> | null = null;
  let totals: PollTotals;
  try {
    totals = await pollMailbox(session, app, new CommitGroup(app.db), pollPlan(imap), log, {
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      onListed: (count) => {
        if (options.progress === true && count >= 20) progress = createProgress({ total: count, label: 'poll' });
      },
      progress: {
        tick: () => progress?.tick(),
        clear: () => progress?.clear(),
      },
    });
  } finally {
    (progress as ReturnType<typeof createProgress> | null)?.done();
    await session.close();
  }
  if (totals.new > 0) await refreshClassesOffline(app.db, app.config, () => loadSigningIdentities(app.config), app.clock, log);
  return totals;
}

/** The stable `--json` shape (README "poll --json"). */
export function pollJson(mailbox: string, t: PollTotals) {
  return {
    mailbox,
    messages: t.messages,
    processed: t.processed,
    known: t.known,
    new: t.new,
    duplicate: t.duplicate,
    invalid: t.invalid,
    not_aggregate: t.notAggregate,
    invalid_inputs: t.invalidInputs.map((r) => ({ path: r.path, reason: r.reason })),
    interrupted: t.interrupted,
  };
}

export function renderPoll(mailbox: string, t: PollTotals): string {
  return (
    `${mailbox}: ${t.messages} message${t.messages === 1 ? '' : 's'}, ${t.processed} read: ` +
    `${t.new} new report${t.new === 1 ? '' : 's'}, ${t.duplicate} duplicate${t.duplicate === 1 ? '' : 's'}, ` +
    `${t.invalid} invalid, ${t.notAggregate} not aggregate; ${t.known} done before` +
    `${t.interrupted ? ' (stopped early on request)' : ''}\n`
  );
}
