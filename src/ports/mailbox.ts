/**
 * The mailbox port: what the poller needs from an IMAP server, and nothing more. The real adapter
 * is src/sources/imap/ (imapflow); tests of the poll logic can use an in-memory one.
 */

export interface MailboxMessage {
  readonly uid: number;
  /** RFC 5322 Message-ID without <>, from the envelope; null when absent. */
  readonly messageId: string | null;
  readonly size: number;
  /** The raw message (RFC822 / BODY[]). */
  readonly bytes: Uint8Array;
}

export type MailboxAction =
  | { readonly kind: 'move'; readonly to: string }
  | { readonly kind: 'mark-seen' }
  | { readonly kind: 'delete' }
  | { readonly kind: 'leave' };

export interface MailboxSession {
  /** The mailbox opened (e.g. INBOX). */
  readonly mailbox: string;
  /** UIDVALIDITY of the opened mailbox (RFC 9051 §2.3.1.1): a UID means something only with it. */
  readonly uidValidity: string;
  /** UIDs of every message now in the mailbox, ascending (UID SEARCH ALL; never \Seen-based). */
  listUids(): Promise<number[]>;
  /** Size of each listed message (RFC822.SIZE), to refuse over-size ones without fetching them. */
  sizes(uids: readonly number[]): Promise<Map<number, number>>;
  /** The messages with these UIDs (a batch), in UID order; messages gone meanwhile are skipped. */
  fetch(uids: readonly number[]): AsyncIterable<MailboxMessage>;
  /** File these messages: MOVE where offered, else COPY + \Deleted + UID EXPUNGE of those UIDs
   * only (RFC 4315); the target folder is created first when missing, with the server's
   * hierarchy delimiter. */
  apply(uids: readonly number[], action: MailboxAction): Promise<void>;
  /** Wait until the server reports new mail (IDLE) or `signal` aborts; resolves either way. */
  waitForNews(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export interface MailboxConnector {
  open(mailbox: string): Promise<MailboxSession>;
}
