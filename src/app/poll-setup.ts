/**
 * What the poller needs from the configuration: the filing plan, the lock's name, the pass's ports.
 */
import { createHash } from 'node:crypto';
import { ConfigError } from '../errors.js';
import type { PollPassDeps, PollPlan } from '../jobs/poll.js';
import type { Logger } from '../ports/logger.js';
import type { MailboxAction, MailboxConnector } from '../ports/mailbox.js';
import type { Config, ImapConfig } from './config.js';
import { ingestDeps, type AppDeps } from './deps.js';

export function requireImap(config: Config): ImapConfig {
  if (config.imap === null) {
    throw new ConfigError(
      `${config.file ?? 'configuration'}: no [imap] section: set [imap] host, user and password (or password_file / access_token) to poll a mailbox`,
    );
  }
  return config.imap;
}

export function pollPlan(imap: ImapConfig): PollPlan {
  const moveOr = (to: string | null, otherwise: MailboxAction): MailboxAction => (to !== null ? { kind: 'move', to } : otherwise);
  const done: MailboxAction =
    imap.afterProcessing === 'move' && imap.archiveMailbox !== null
      ? { kind: 'move', to: imap.archiveMailbox }
      : imap.afterProcessing === 'delete'
        ? { kind: 'delete' }
        : imap.afterProcessing === 'leave'
          ? { kind: 'leave' }
          : { kind: 'mark-seen' };
  return {
    batchSize: imap.batchSize,
    actions: {
      stored: done,
      duplicate: done,
      // Kept for a person to look at: never deleted, at most moved aside.
      invalid: moveOr(imap.invalidMailbox, { kind: 'leave' }),
      not_aggregate: moveOr(imap.notAggregateMailbox, { kind: 'leave' }),
    },
  };
}

/** One lock per mailbox (server, user, folder), next to the database. */
export function pollLockPath(dbPath: string, imap: ImapConfig): string {
  const id = createHash('sha256').update(`${imap.host}:${imap.port}:${imap.user}:${imap.mailbox}`).digest('hex').slice(0, 12);
  return `${dbPath}.poll-${id}.lock`;
}

export const mailboxLabel = (imap: ImapConfig): string => `mailbox ${imap.mailbox} of ${imap.user} at ${imap.host}:${imap.port}`;

/** Everything a poll pass needs, from the configuration and the open database. */
export function pollPassDeps(app: AppDeps, imap: ImapConfig, connector: MailboxConnector, log: Logger): PollPassDeps {
  return {
    connector,
    mailbox: imap.mailbox,
    plan: pollPlan(imap),
    stores: app,
    log,
    afterNewReports: ingestDeps(app, log).afterNewReports,
  };
}
