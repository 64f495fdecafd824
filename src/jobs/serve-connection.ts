/**
 * One connection of the verify service (src/jobs/serve.ts): request lines in, answers out in
 * request order, and the two deadlines a connection lives under (src/extract/limits.ts
 * ServeLimits):
 *
 * - idle: nothing to answer, no partial line, and no byte from the client for `idleTimeoutMs`:
 *   the connection is closed. There is no request to answer, so no line is written (an
 *   unsolicited line would be read as the answer to the client's next request).
 * - line: a request line that has started must be complete within `lineTimeoutMs` (a client
 *   trickling bytes, slowloris). The partial line is dropped, the answers already owed are
 *   written, then one error line, and the connection is closed.
 *
 * While a request is being verified the connection is neither idle nor late: the client is
 * waiting for us, and `verifyTimeoutMs` bounds that wait (serve.ts).
 *
 * Room for new clients (PartialLines): when all `maxConnections` are open, serve.ts closes the
 * connection whose unfinished request line started longest ago instead of refusing the new one.
 * Without it, 256 clients each trickling a byte a second hold every place for the whole
 * `lineTimeoutMs` and lock the MTA's own new connections out (a slowloris). A client that sends
 * whole lines, however many, is never closed for room: only one caught in the middle of a line,
 * the slowest first. This needs no client address: on the loopback port every client, the MTA
 * too, is 127.0.0.1, and a unix socket has no peer address at all, so a limit per address would
 * shut the MTA out together with the attacker.
 */
import type { Socket } from 'node:net';
import { REFUSAL_LOG_INTERVAL_MS, SERVE_CLOSE_GRACE_MS, SERVE_LIMIT_SETTINGS } from '../limits.js';
import type { Logger } from '../ports/logger.js';

export interface ConnectionOptions {
  /** The longest request line buffered (serve-protocol.ts maxLineBytes). */
  readonly maxLine: number;
  readonly maxMessageBytes: number;
  readonly idleTimeoutMs: number;
  readonly lineTimeoutMs: number;
  /** One request line → its answer (one JSON text). Never rejects. */
  readonly answer: (line: string) => Promise<string>;
  readonly log: Logger;
  /** The service's connections that are in the middle of a request line. */
  readonly partialLines?: PartialLines;
}

type Deadline = 'idle' | 'line';

/**
 * The service's connections that are in the middle of a request line, oldest line first (a
 * Map keeps insertion order; a connection is taken out when its line ends and put back at the
 * end when the next one starts).
 */
export class PartialLines {
  readonly #started = new Map<Socket, { readonly at: number; readonly close: (why: string) => void }>();
  readonly #log: Logger;
  #closedSince = 0;
  #lastLog = -Infinity;

  constructor(log: Logger) {
    this.#log = log;
  }

  start(socket: Socket, close: (why: string) => void): void {
    if (!this.#started.has(socket)) this.#started.set(socket, { at: performance.now(), close });
  }

  end(socket: Socket): void {
    this.#started.delete(socket);
  }

  /** Closes the connection whose unfinished line is the oldest, to make room for a new one
   * (`open` connections, the cap). false: none is in the middle of a line. */
  closeOldest(open: number): boolean {
    const oldest = this.#started.entries().next();
    if (oldest.done === true) return false;
    const [socket, line] = oldest.value;
    this.#started.delete(socket);
    const ms = Math.round(performance.now() - line.at);
    line.close(
      `closed to make room: ${open} connections open ([serve] ${SERVE_LIMIT_SETTINGS.maxConnections}), and this request line, unfinished after ${ms} ms, was the oldest`,
    );
    // A flood of new connections must not become a flood of log lines (as refusals in serve.ts).
    this.#closedSince++;
    const now = performance.now();
    if (now - this.#lastLog >= REFUSAL_LOG_INTERVAL_MS) {
      this.#log.warn('slow request line closed to make room', { open, line_ms: ms, closed: this.#closedSince });
      this.#closedSince = 0;
      this.#lastLog = now;
    }
    return true;
  }
}

export function serveConnection(socket: Socket, options: ConnectionOptions): void {
  const { maxLine, log } = options;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false;
  // Answers owed: requests received whose answer has not been written yet.
  let owed = 0;
  // After a timeout: nothing more is read, the connection is on its way out.
  let closing = false;
  let timer: NodeJS.Timeout | null = null;
  let deadline: Deadline | null = null;

  // Answers go out in request order, whatever order the verifications finish in.
  let tail: Promise<void> = Promise.resolve();
  let corked = false;
  const respond = (work: Promise<string>): void => {
    owed++;
    tail = tail.then(async () => {
      const text = await work;
      owed--;
      if (socket.destroyed || socket.writableEnded) return;
      // Answers that are ready together leave in one write.
      if (!corked) {
        corked = true;
        socket.cork();
        setImmediate(() => {
          corked = false;
          socket.uncork();
        });
      }
      socket.write(`${text}\n`);
      if (owed === 0) watch();
    });
  };

  const clear = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    deadline = null;
  };
  const arm = (kind: Deadline, ms: number): void => {
    if (deadline === kind && timer !== null) {
      timer.refresh();
      return;
    }
    clear();
    deadline = kind;
    timer = setTimeout(() => expire(kind), ms);
    timer.unref();
  };
  /** Puts the right deadline on the connection for its state now. A line's deadline runs from
   * when it started, so new bytes of the same line do not move it. */
  const watch = (): void => {
    if (closing || socket.destroyed) return clear();
    if (pendingBytes > 0 || skipping) {
      if (deadline !== 'line') arm('line', options.lineTimeoutMs);
    } else if (owed > 0) {
      clear();
    } else {
      arm('idle', options.idleTimeoutMs);
    }
  };

  /** Drops the partial line, writes the answers owed and then `error`, and closes. */
  const closeWith = (error: string): void => {
    if (closing || socket.destroyed) return;
    closing = true;
    clear();
    options.partialLines?.end(socket);
    pending = [];
    pendingBytes = 0;
    skipping = false;
    respond(Promise.resolve(JSON.stringify({ error })));
    void tail.then(() => closeSoon(socket));
  };

  const expire = (kind: Deadline): void => {
    timer = null;
    deadline = null;
    if (closing || socket.destroyed) return;
    if (kind === 'idle') {
      closing = true;
      log.info('connection idle, closed', { idle_ms: options.idleTimeoutMs });
      closeSoon(socket);
      return;
    }
    log.warn('request line too slow, connection closed', { line_ms: options.lineTimeoutMs, bytes: pendingBytes });
    closeWith(`request line not complete within ${options.lineTimeoutMs} ms: closing the connection (raise [serve] ${SERVE_LIMIT_SETTINGS.lineTimeoutMs} to allow slower clients)`);
  };

  const onLine = (bytes: Buffer): void => {
    const line = bytes.toString('utf8').replace(/\r$/, '');
    if (line.trim() === '') return;
    respond(options.answer(line));
  };

  socket.on('data', (chunk: Buffer) => {
    if (closing) return;
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      // A line ended: the next one, if any, gets a deadline (and a place in line) of its own.
      if (deadline === 'line') clear();
      options.partialLines?.end(socket);
      if (skipping) {
        skipping = false;
        continue;
      }
      const whole = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      pending = [];
      pendingBytes = 0;
      onLine(whole);
    }
    if (start < chunk.length && !skipping) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > maxLine) {
        // Too long to be a request we would accept: say so once, drop the rest of the line.
        pending = [];
        pendingBytes = 0;
        skipping = true;
        respond(
          Promise.resolve(
            JSON.stringify({ error: `request line exceeds ${maxLine} bytes: the message is over the limit of ${options.maxMessageBytes} bytes (raise [limits] max_message_bytes to accept it)` }),
          ),
        );
      }
    }
    if (!closing && (pendingBytes > 0 || skipping)) options.partialLines?.start(socket, closeWith);
    watch();
  });
  socket.on('end', () => {
    clear();
    options.partialLines?.end(socket);
    if (closing) return;
    closing = true;
    // The client has sent all it will: a last line without its newline is still a request.
    if (pending.length > 0 && !skipping) onLine(Buffer.concat(pending));
    pending = [];
    pendingBytes = 0;
    void tail.then(() => closeSoon(socket));
  });
  socket.on('close', () => {
    clear();
    options.partialLines?.end(socket);
  });
  watch();
}

/** Ends our side after what is written, and drops the connection if the client has not closed
 * it within the grace period (a client that never reads would otherwise hold it open). */
export function closeSoon(socket: Socket): void {
  if (socket.destroyed) return;
  socket.end();
  const drop = setTimeout(() => socket.destroy(), SERVE_CLOSE_GRACE_MS);
  drop.unref();
  socket.once('close', () => clearTimeout(drop));
}
