/**
 * One pass over the rua mailbox: every message in it is ingested exactly once and filed where
 * the user can see what happened to it (docs/reports-in.md "Polling the rua mailbox").
 *
 * - Which messages to process never depends on \Seen (people open that mailbox): every UID in the
 *   mailbox is looked up in the ledger by `imap:<mailbox>:<UIDVALIDITY>:<UID>`; known ones are not
 *   fetched again. A message whose bytes were seen under another key (a copy, a new UIDVALIDITY)
 *   is recognised by its SHA-256 and counted as a duplicate without parsing.
 * - At least once in, exactly once stored: a batch of messages is committed first, then filed.
 *   A crash before the commit leaves the messages in the mailbox (read again next time); a crash
 *   after it leaves them in the ledger, and the next pass files them without reading them.
 * - Memory is bounded by the batch: UIDs are fetched `batchSize` at a time.
 */
import { LimitExceededError } from '../errors.js';
import { LIMIT_SETTINGS } from '../limits.js';
import type { Logger } from '../ports/logger.js';
import type { MailboxAction, MailboxConnector, MailboxSession } from '../ports/mailbox.js';
import { CommitGroup } from '../store/commit-group.js';
import type { Database } from '../store/database.js';
import type { InputOutcome } from '../store/inputs.js';
import { ingestInput, type IngestStores, type Rejection } from './ingest-input.js';
import type { IngestProgress, InputGroup } from './ingest-paths.js';

export interface PollPlan {
  /** What to do with a message after its outcome is committed. */
  readonly actions: Readonly<Record<InputOutcome, MailboxAction>>;
  /** Messages fetched and committed together. */
  readonly batchSize: number;
}

export interface PollTotals {
  /** Messages in the mailbox when the pass started. */
  messages: number;
  /** Messages read and processed in this pass. */
  processed: number;
  /** Messages processed by an earlier pass (filed now if they were still waiting). */
  known: number;
  new: number;
  duplicate: number;
  invalid: number;
  notAggregate: number;
  invalidInputs: Rejection[];
  /** True when the pass stopped early because it was asked to (SIGTERM). */
  interrupted: boolean;
}

/** What one pass needs: the mailbox and where to file, the stores, and what to do after new
 * reports were stored (bring the stored classes up to date, src/jobs/classify-stored.ts). */
export interface PollPassDeps {
  readonly connector: MailboxConnector;
  readonly mailbox: string;
  readonly plan: PollPlan;
  readonly stores: IngestStores & { readonly db: Database };
  readonly log: Logger;
  readonly afterNewReports: () => Promise<unknown>;
}

/** A progress display shown once the number of messages is known; null: none. */
export type PollProgressFor = (messages: number) => (IngestProgress & { done(): void }) | null;

/** Connect, poll, disconnect (`ruaflow poll` and each pass of the daemon). */
export async function pollPass(deps: PollPassDeps, options: { signal?: AbortSignal; progressFor?: PollProgressFor } = {}): Promise<PollTotals> {
  const session = await deps.connector.open(deps.mailbox);
  let progress: ReturnType<PollProgressFor> = null;
  let totals: PollTotals;
  try {
    totals = await pollMailbox(session, deps.stores, new CommitGroup(deps.stores.db), deps.plan, deps.log, {
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      onListed: (count) => {
        progress = options.progressFor?.(count) ?? null;
      },
      progress: {
        tick: () => progress?.tick(),
        clear: () => progress?.clear(),
      },
    });
  } finally {
    (progress as ReturnType<PollProgressFor>)?.done();
    await session.close();
  }
  if (totals.new > 0) await deps.afterNewReports();
  return totals;
}

export const inputKey = (session: MailboxSession, uid: number): string => `imap:${session.mailbox}:${session.uidValidity}:${uid}`;

export async function pollMailbox(
  session: MailboxSession,
  stores: IngestStores,
  group: InputGroup,
  plan: PollPlan,
  log: Logger,
  options: { signal?: AbortSignal; progress?: IngestProgress; onListed?: (count: number) => void } = {},
): Promise<PollTotals> {
  const totals: PollTotals = { messages: 0, processed: 0, known: 0, new: 0, duplicate: 0, invalid: 0, notAggregate: 0, invalidInputs: [], interrupted: false };
  const uids = await session.listUids();
  totals.messages = uids.length;
  options.onListed?.(uids.length);
  const progress = options.progress ?? { tick() {}, clear() {} };

  for (let i = 0; i < uids.length; i += plan.batchSize) {
    if (stopRequested(options.signal)) {
      totals.interrupted = true;
      break;
    }
    const batch = uids.slice(i, i + plan.batchSize);
    const filed = new Map<InputOutcome, number[]>();
    const file = (outcome: InputOutcome, uid: number): void => {
      const list = filed.get(outcome);
      if (list === undefined) filed.set(outcome, [uid]);
      else list.push(uid);
    };

    // Messages an earlier pass committed: file them if their action moves or deletes them
    // (they are still here because that pass ended between commit and filing).
    const known = stores.ledger.outcomesByKey(batch.map((uid) => inputKey(session, uid)));
    const unread: number[] = [];
    for (const uid of batch) {
      const outcome = known.get(inputKey(session, uid));
      if (outcome === undefined) {
        unread.push(uid);
        continue;
      }
      totals.known++;
      const action = plan.actions[outcome];
      if (action.kind === 'move' || action.kind === 'delete') file(outcome, uid);
      progress.tick();
    }

    // Over-size messages are refused without fetching them.
    const sizes = unread.length > 0 ? await session.sizes(unread) : new Map<number, number>();
    const fetchable: number[] = [];
    group.enter();
    try {
      for (const uid of unread) {
        const size = sizes.get(uid) ?? 0;
        if (size <= stores.limits.maxMessageBytes) {
          fetchable.push(uid);
          continue;
        }
        const reason = new LimitExceededError(LIMIT_SETTINGS.maxMessageBytes, stores.limits.maxMessageBytes, `message of ${size} bytes`).message;
        stores.ledger.record(
          {
            source: 'imap',
            sourceKey: inputKey(session, uid),
            sha256: `unread:${size}`,
            size,
            messageId: null,
            subject: null,
            outcome: 'invalid',
            reason,
            reportsNew: 0,
            reportsDuplicate: 0,
            reportsInvalid: 1,
          },
          stores.clock.now(),
        );
        count(totals, 'invalid', { path: `${session.mailbox} uid ${uid}`, reason });
        log.warn('message', { uid, outcome: 'invalid', reason });
        file('invalid', uid);
        progress.tick();
      }

      for await (const message of fetchable.length > 0 ? session.fetch(fetchable) : []) {
        const label = `${session.mailbox} uid ${message.uid}`;
        const result = await ingestInput({ source: 'imap', key: inputKey(session, message.uid), label }, message.bytes, stores);
        totals.processed++;
        totals.new += result.reportsNew;
        totals.duplicate += result.reportsDuplicate;
        if (result.outcome === 'not_aggregate') totals.notAggregate++;
        for (const r of result.rejections) count(totals, 'invalid', r);
        file(result.outcome, message.uid);
        const fields = {
          uid: message.uid,
          message_id: message.messageId ?? result.messageId,
          outcome: result.outcome,
          reports_new: result.reportsNew,
          reports_duplicate: result.reportsDuplicate,
          reason: result.reason ?? undefined,
        };
        progress.clear();
        if (result.outcome === 'invalid') log.warn('message', fields);
        else log.info('message', fields);
        progress.tick();
        // SIGTERM: finish this message, commit, file what was committed, stop.
        if (stopRequested(options.signal)) {
          totals.interrupted = true;
          break;
        }
      }
      group.commit();
    } finally {
      group.abandon();
    }

    // Only now, with the batch committed, do the messages leave the mailbox.
    for (const [outcome, list] of filed) {
      const action = plan.actions[outcome];
      if (action.kind !== 'leave') await session.apply(list, action);
    }
    if (totals.interrupted) break;
  }
  return totals;
}

/** A function, not an inline test: TypeScript would keep the narrowing from the loop's start
 * across the awaits in between, while the signal can change at any await. */
function stopRequested(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function count(totals: PollTotals, _kind: 'invalid', rejection: Rejection): void {
  totals.invalid++;
  totals.invalidInputs.push(rejection);
}
