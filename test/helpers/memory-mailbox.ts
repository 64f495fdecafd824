/** An in-memory mailbox with the port's shape, for the poll logic's unit tests (the real IMAP
 * adapter is tested against Dovecot in test/sources/imap.test.ts). It records what was done. */
import type { MailboxAction, MailboxMessage, MailboxSession } from '../../src/ports/mailbox.js';

export class MemoryMailbox implements MailboxSession {
  readonly mailbox = 'INBOX';
  uidValidity = '1';
  readonly folders = new Map<string, Uint8Array[]>();
  readonly messages = new Map<number, { bytes: Uint8Array; seen: boolean }>();
  readonly log: string[] = [];
  #next = 1;
  /** Called before each message is handed out; throw to simulate a lost server. */
  beforeFetch: (uid: number) => void = () => {};

  add(bytes: Uint8Array): number {
    const uid = this.#next++;
    this.messages.set(uid, { bytes, seen: false });
    return uid;
  }

  async listUids(): Promise<number[]> {
    return [...this.messages.keys()].sort((a, b) => a - b);
  }

  async sizes(uids: readonly number[]): Promise<Map<number, number>> {
    return new Map(uids.flatMap((u) => (this.messages.has(u) ? [[u, this.messages.get(u)!.bytes.length] as const] : [])));
  }

  async *fetch(uids: readonly number[]): AsyncIterable<MailboxMessage> {
    this.log.push(`fetch ${uids.join(',')}`);
    for (const uid of uids) {
      const m = this.messages.get(uid);
      if (m === undefined) continue;
      this.beforeFetch(uid);
      yield { uid, messageId: null, size: m.bytes.length, bytes: m.bytes };
    }
  }

  async apply(uids: readonly number[], action: MailboxAction): Promise<void> {
    this.log.push(`${action.kind}${action.kind === 'move' ? ` ${action.to}` : ''} ${uids.join(',')}`);
    for (const uid of uids) {
      const m = this.messages.get(uid);
      if (m === undefined) continue;
      if (action.kind === 'move') {
        const list = this.folders.get(action.to) ?? [];
        list.push(m.bytes);
        this.folders.set(action.to, list);
        this.messages.delete(uid);
      } else if (action.kind === 'delete') {
        this.messages.delete(uid);
      } else if (action.kind === 'mark-seen') {
        m.seen = true;
      }
    }
  }

  async waitForNews(signal: AbortSignal): Promise<void> {
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  async close(): Promise<void> {}
}
