/**
 * One opened mailbox on one IMAP connection (imapflow): the MailboxSession port.
 *
 * Every failure leaves as a MailboxError: `lost` when the connection is gone (the next call fails
 * at once, without waiting for a timeout), `refused` when the server said NO on a healthy one.
 * Nothing here depends on \Seen: messages are listed with UID SEARCH ALL and fetched with
 * BODY.PEEK[], so reading them never changes their flags.
 */
import type { FetchMessageObject, ImapFlow } from 'imapflow';
import { MailboxError } from '../../errors.js';
import type { Logger } from '../../ports/logger.js';
import type { MailboxAction, MailboxMessage, MailboxSession } from '../../ports/mailbox.js';
import { lostConnection, refused, type Endpoint } from './failure.js';
import { serverPath } from './mailbox-path.js';
import { RefusalLog } from './refusal-log.js';
import { uidSet } from './uid-set.js';
import { withDeadline } from '../../platform/deadline.js';
import { IMAP_IDLE_RETRY_MS as IDLE_RETRY_MS, IMAP_IDLE_STOP_TIMEOUT_MS as IDLE_STOP_TIMEOUT_MS, IMAP_LOGOUT_TIMEOUT_MS as LOGOUT_TIMEOUT_MS, IMAP_UIDS_PER_COMMAND as UIDS_PER_COMMAND } from '../../limits.js';

interface ExistsEvent {
  readonly count: number;
  readonly prevCount: number;
}

export class ImapSession implements MailboxSession {
  readonly #client: ImapFlow;
  readonly #endpoint: Endpoint;
  readonly #log: Logger;
  readonly #delimiter: string;
  /** Folders created (or found) on this connection: CREATE once per folder and session. */
  readonly #folders = new Set<string>();
  #closing = false;
  #gone = false;
  #lastError: unknown = null;
  readonly #refusals: RefusalLog;

  constructor(
    client: ImapFlow,
    endpoint: Endpoint,
    log: Logger,
    readonly mailbox: string,
    readonly uidValidity: string,
    delimiter: string,
    refusals: RefusalLog = new RefusalLog(),
  ) {
    this.#refusals = refusals;
    this.#client = client;
    this.#endpoint = endpoint;
    this.#log = log;
    this.#delimiter = delimiter;
    client.on('close', () => {
      this.#gone = true;
    });
    // After connect, imapflow reports socket failures as 'error' events (and closes); without a
    // listener they would crash the process. Keep the error for the `lost` message.
    client.on('error', (error: unknown) => {
      this.#lastError = error;
    });
  }

  /** The server's hierarchy delimiter for this mailbox's namespace. */
  get delimiter(): string {
    return this.#delimiter;
  }

  async listUids(): Promise<number[]> {
    const uids = await this.#run('UID SEARCH ALL', () => this.#client.search({ all: true }, { uid: true }));
    if (!Array.isArray(uids)) throw this.#failed('UID SEARCH ALL failed');
    return [...uids].sort((a, b) => a - b);
  }

  async sizes(uids: readonly number[]): Promise<Map<number, number>> {
    const sizes = new Map<number, number>();
    for (const chunk of chunks(uids)) {
      await this.#run('FETCH RFC822.SIZE', async () => {
        for await (const m of this.#client.fetch(uidSet(chunk), { uid: true, size: true }, { uid: true })) {
          if (m.size !== undefined) sizes.set(m.uid, m.size);
        }
      });
    }
    return sizes;
  }

  async *fetch(uids: readonly number[]): AsyncIterable<MailboxMessage> {
    for (const chunk of chunks(uids)) {
      this.#assertOpen();
      const messages = this.#client.fetch(uidSet(chunk), { uid: true, envelope: true, size: true, source: true }, { uid: true });
      try {
        for (;;) {
          let next: IteratorResult<FetchMessageObject, unknown>;
          try {
            next = await messages.next();
          } catch (error) {
            throw this.#failure(error, 'FETCH failed');
          }
          if (next.done === true) break;
          const m = next.value;
          if (m.source === undefined) continue; // expunged meanwhile: the server sent no body
          yield {
            uid: m.uid,
            messageId: bareMessageId(m.envelope?.messageId),
            size: m.size ?? m.source.length,
            bytes: m.source,
          };
        }
      } finally {
        // The caller may stop early (SIGTERM): let imapflow release the rest of the response.
        await messages.return(undefined);
      }
      // imapflow's generator can end quietly when the socket closes under it.
      if (this.#gone) throw this.#lost();
    }
  }

  async apply(uids: readonly number[], action: MailboxAction): Promise<void> {
    if (action.kind === 'leave' || uids.length === 0) return;
    this.#assertOpen();
    for (const chunk of chunks(uids)) {
      const set = uidSet(chunk);
      switch (action.kind) {
        case 'mark-seen': {
          const ok = await this.#run('STORE +FLAGS (\\Seen)', () => this.#client.messageFlagsAdd(set, ['\\Seen'], { uid: true }));
          if (!ok) throw this.#failed(`could not mark messages ${set} as seen`);
          break;
        }
        case 'delete': {
          this.#requireUidExpunge('delete');
          const ok = await this.#run('UID EXPUNGE', () => this.#client.messageDelete(set, { uid: true }));
          if (!ok) throw this.#failed(`could not delete messages ${set}`);
          break;
        }
        case 'move': {
          // RFC 6851 MOVE; without it imapflow copies, sets \Deleted and expunges, and that
          // expunge must be UID EXPUNGE of these UIDs only (RFC 4315), never a plain EXPUNGE.
          if (!this.#client.capabilities.has('MOVE')) this.#requireUidExpunge('move');
          const target = await this.#ensureFolder(action.to);
          const result = await this.#run(`MOVE to ${action.to}`, () => this.#client.messageMove(set, target, { uid: true }));
          if (result === false) throw this.#failed(`could not move messages ${set} to "${action.to}"`);
          break;
        }
      }
    }
  }

  async waitForNews(signal: AbortSignal): Promise<void> {
    this.#assertOpen();
    if (signal.aborted) return;
    const client = this.#client;
    let settled = false;
    await new Promise<void>((resolve, reject) => {
      const finish = (error?: MailboxError): void => {
        if (settled) return;
        settled = true;
        client.off('exists', onExists);
        client.off('close', onClose);
        signal.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      // EXPUNGE lowers imapflow's count, so a higher EXISTS means new messages (RFC 9051 §7.4.1).
      const onExists = (event: ExistsEvent): void => {
        if (event.count > event.prevCount) finish();
      };
      // close() while waiting ends the wait; the connection dying under it is `lost`.
      const onClose = (): void => (this.#closing ? finish() : finish(this.#lost()));
      const onAbort = (): void => finish();
      client.on('exists', onExists);
      client.on('close', onClose);
      signal.addEventListener('abort', onAbort, { once: true });
      // IDLE now (RFC 2177), not after imapflow's auto-idle delay (turned off in the connector).
      // idle() returns when IDLE ends: broken by our NOOP below, or ended by the server, in which
      // case it is started again.
      void (async () => {
        while (!settled) {
          const started = performance.now();
          try {
            this.#refusals.clear();
            const result = await client.idle();
            if (this.#gone) return finish(this.#closing ? undefined : this.#lost());
            if (settled) return;
            if (result === false) return finish(this.#failed('IDLE failed'));
            if (client.mailbox === false) return finish(refused(this.#endpoint, `mailbox "${this.mailbox}" is no longer selected`));
          } catch (error) {
            return finish(this.#failure(error, 'IDLE failed'));
          }
          // The server ended IDLE by itself: start again, but never in a tight loop.
          if (performance.now() - started < IDLE_RETRY_MS) await new Promise((r) => setTimeout(r, IDLE_RETRY_MS));
        }
      })();
    });
    // Leave IDLE (any command sends DONE first) so the next command is not queued behind it.
    if (client.idling && client.usable) {
      await bounded(client.noop(), IDLE_STOP_TIMEOUT_MS).catch((error: unknown) => {
        this.#lastError = error;
      });
    }
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    const client = this.#client;
    if (client.usable && !this.#gone) {
      try {
        await bounded(client.logout(), LOGOUT_TIMEOUT_MS);
      } catch (error) {
        this.#log.warn('imap logout failed', { host: this.#endpoint.host, error: error instanceof Error ? error.message : String(error) });
      }
    }
    client.close();
  }

  /** `to` ('/'-separated, as configured) → the server's name; CREATE it once when missing. */
  async #ensureFolder(to: string): Promise<string> {
    const path = serverPath(to, this.#delimiter);
    if (this.#folders.has(path)) return path;
    try {
      // ALREADYEXISTS (RFC 5530) is success for imapflow; the server creates missing parents
      // (RFC 9051 §6.3.4).
      await this.#client.mailboxCreate(path);
    } catch (error) {
      if (this.#gone || !this.#client.usable) throw this.#lost(error);
      // A server without RFC 5530 codes says NO to CREATE of an existing folder: is it there?
      const listed = await this.#run(`LIST "${to}"`, () => this.#client.list());
      const prefixed = `${this.#client.namespace?.prefix ?? ''}${path}`;
      if (!listed.some((m) => m.path === path || m.path === prefixed)) throw refused(this.#endpoint, `cannot create mailbox "${to}"`, error);
    }
    this.#folders.add(path);
    return path;
  }

  #requireUidExpunge(what: 'move' | 'delete'): void {
    if (this.#client.capabilities.has('UIDPLUS')) return;
    throw refused(
      this.#endpoint,
      `the server offers neither MOVE nor UIDPLUS, so it cannot ${what} single messages without expunging every \\Deleted message in ${this.mailbox}; ` +
        'set [imap] after_processing = "seen" or "leave"',
    );
  }

  /** Run one imapflow call, turning its failures into ours. */
  async #run<T>(what: string, call: () => Promise<T>): Promise<T> {
    this.#assertOpen();
    this.#refusals.clear();
    try {
      return await call();
    } catch (error) {
      throw this.#failure(error, `${what} failed`);
    }
  }

  #assertOpen(): void {
    if (this.#closing) throw new MailboxError('lost', `imap ${this.#endpoint.host}:${this.#endpoint.port}: session already closed`);
    if (this.#gone || !this.#client.usable) throw this.#lost();
  }

  #failure(error: unknown, what: string): MailboxError {
    if (error instanceof MailboxError) return error;
    const code = (error as { code?: unknown } | null)?.code;
    if (this.#gone || !this.#client.usable || code === 'NoConnection' || code === 'EConnectionClosed') return this.#lost(error);
    return refused(this.#endpoint, what, error);
  }

  /** An imapflow call said `false`: the connection died under it, or the server said NO. */
  #failed(what: string): MailboxError {
    return this.#gone || !this.#client.usable ? this.#lost() : refused(this.#endpoint, what, this.#refusals.last ?? undefined);
  }

  #lost(error?: unknown): MailboxError {
    return lostConnection(this.#lastError ?? error ?? null, this.#endpoint, this.#client.byeReason);
  }
}

function* chunks(uids: readonly number[]): Generator<number[]> {
  for (let i = 0; i < uids.length; i += UIDS_PER_COMMAND) yield uids.slice(i, i + UIDS_PER_COMMAND);
}

/** RFC 5322 msg-id without the angle brackets; null when absent or empty. */
function bareMessageId(id: string | undefined): string | null {
  const bare = id?.trim().replace(/^<(.*)>$/s, '$1').trim();
  return bare === undefined || bare === '' ? null : bare;
}

function bounded<T>(promise: Promise<T>, ms: number): Promise<T> {
  return withDeadline(promise, ms, (): never => {
    throw new Error(`no answer within ${ms} ms`);
  });
}
