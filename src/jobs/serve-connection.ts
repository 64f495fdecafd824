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
 */
import type { Socket } from 'node:net';
import { SERVE_CLOSE_GRACE_MS, SERVE_LIMIT_SETTINGS } from '../limits.js';
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
}

type Deadline = 'idle' | 'line';

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

  const expire = (kind: Deadline): void => {
    timer = null;
    deadline = null;
    if (closing || socket.destroyed) return;
    closing = true;
    if (kind === 'idle') {
      log.info('connection idle, closed', { idle_ms: options.idleTimeoutMs });
      closeSoon(socket);
      return;
    }
    log.warn('request line too slow, connection closed', { line_ms: options.lineTimeoutMs, bytes: pendingBytes });
    pending = [];
    pendingBytes = 0;
    skipping = false;
    respond(
      Promise.resolve(
        JSON.stringify({
          error: `request line not complete within ${options.lineTimeoutMs} ms: closing the connection (raise [serve] ${SERVE_LIMIT_SETTINGS.lineTimeoutMs} to allow slower clients)`,
        }),
      ),
    );
    void tail.then(() => closeSoon(socket));
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
      // A line ended: the next one, if any, gets a deadline of its own.
      if (deadline === 'line') clear();
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
    watch();
  });
  socket.on('end', () => {
    clear();
    if (closing) return;
    closing = true;
    // The client has sent all it will: a last line without its newline is still a request.
    if (pending.length > 0 && !skipping) onLine(Buffer.concat(pending));
    pending = [];
    pendingBytes = 0;
    void tail.then(() => closeSoon(socket));
  });
  socket.on('close', clear);
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
