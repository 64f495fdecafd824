/**
 * The server's last refusal on one connection. imapflow answers a refused MOVE, STORE or EXPUNGE
 * with `false` and hands the NO / BAD reply only to its logger, so this logger keeps it for the
 * error we raise: "could not move messages 3:4 to "DMARC/archive" (Timeout while waiting for lock)".
 */
import type { Logger as ImapFlowLogger } from 'imapflow';

export class RefusalLog {
  #last: unknown = null;

  /** The logger to give imapflow: keeps command errors (logged at warn), drops everything else. */
  readonly logger: ImapFlowLogger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (entry: unknown) => {
      const err = typeof entry === 'object' && entry !== null ? (entry as { err?: unknown }).err : undefined;
      if (err !== undefined) this.#last = err;
    },
    error: () => undefined,
  };

  /** Forget what an earlier command was refused for; call before each command. */
  clear(): void {
    this.#last = null;
  }

  /** The refused command's error (with imapflow's responseText), or null. */
  get last(): unknown {
    return this.#last;
  }
}
