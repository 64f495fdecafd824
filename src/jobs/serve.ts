/**
 * The verify service: `ruaflow serve` on a unix socket or a loopback port. Busy MX hosts cannot
 * start a process per message; one process keeps the DNS cache warm and the database open.
 *
 * Lines in, lines out (src/receiver/serve-protocol.ts). Requests on one connection run
 * concurrently and are answered in order. Evaluations are written in group commits (many per
 * transaction, committed at least every `commitMillis`); stop() commits the open group, so a
 * SIGTERM loses nothing that was answered.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../ports/logger.js';
import { evaluationJson } from '../receiver/evaluation-json.js';
import { maxLineBytes, parseRequest } from '../receiver/serve-protocol.js';
import type { Envelope } from '../receiver/types.js';
import type { CommitGroup } from '../store/commit-group.js';
import { verifyMessage, type VerifyDeps } from './verify-message.js';

export interface ServeOptions {
  readonly maxMessageBytes: number;
  /** null: nothing is recorded. */
  readonly group: CommitGroup | null;
  readonly commitMillis?: number;
  readonly log: Logger;
}

export interface VerifyService {
  readonly server: Server;
  /** Stop accepting, finish what is in flight, commit. */
  stop(): Promise<void>;
}

export function startVerifyService(base: VerifyDeps, options: ServeOptions): VerifyService {
  const { group, log } = options;
  // Each evaluation joins the open commit group (its own savepoint inside it).
  const store = base.store;
  const deps: VerifyDeps =
    store === null || group === null
      ? base
      : {
          ...base,
          store: {
            insert: (row) => {
              group.enter();
              const id = store.insert(row);
              group.leave();
              return id;
            },
          },
        };
  const maxLine = maxLineBytes(options.maxMessageBytes);
  const inFlight = new Set<Promise<unknown>>();
  const sockets = new Set<Socket>();
  let requests = 0;

  const commitTimer = group === null ? null : setInterval(() => commitSafely(), options.commitMillis ?? 100);
  commitTimer?.unref();
  function commitSafely(): void {
    try {
      group?.commit();
    } catch (error) {
      log.error('commit failed', { error: (error as Error).message });
    }
  }

  let stopping = false;
  // Parsing is synchronous and apart from the verification, so that the request line (the
  // message in base64, larger than the message) is garbage as soon as it is decoded instead of
  // living on in a suspended async frame while thousands of verifications are in flight.
  const answer = (line: string): Promise<string> => {
    const parsed = parseRequest(line, options.maxMessageBytes);
    if (!parsed.ok) return Promise.resolve(JSON.stringify({ ...(parsed.id !== null ? { id: parsed.id } : {}), error: parsed.error }));
    const { id, envelope, message } = parsed.request;
    // Once stopping, nothing new is started: what is in flight is answered and committed.
    if (stopping) return Promise.resolve(JSON.stringify({ ...(id !== null ? { id } : {}), error: 'the service is stopping; try again' }));
    return verifyAndAnswer(id, envelope, message);
  };
  const verifyAndAnswer = async (id: string | number | null, envelope: Envelope, message: Buffer): Promise<string> => {
    try {
      const { evaluation } = await verifyMessage(deps, message, envelope);
      return JSON.stringify({ ...(id !== null ? { id } : {}), ...evaluationJson(evaluation) });
    } catch (error) {
      log.error('verify failed', { error: (error as Error).message });
      return JSON.stringify({ ...(id !== null ? { id } : {}), error: `verification failed: ${(error as Error).message}` });
    }
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let skipping = false;
    // Answers go out in request order, whatever order the verifications finish in.
    let tail: Promise<void> = Promise.resolve();
    let corked = false;
    const respond = (work: Promise<string>): void => {
      const tracked = work.catch((error: unknown) => JSON.stringify({ error: String(error) }));
      inFlight.add(tracked);
      void tracked.finally(() => inFlight.delete(tracked));
      tail = tail.then(async () => {
        const text = await tracked;
        if (socket.destroyed) return;
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
      });
    };
    const onLine = (bytes: Buffer): void => {
      requests++;
      const line = bytes.toString('utf8').replace(/\r$/, '');
      if (line.trim() === '') return;
      respond(answer(line));
    };
    socket.on('data', (chunk: Buffer) => {
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
        const piece = chunk.subarray(start, nl);
        start = nl + 1;
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
    });
    socket.on('end', () => {
      if (pending.length > 0 && !skipping) onLine(Buffer.concat(pending));
      pending = [];
      void tail.then(() => socket.end());
    });
  });
  server.on('error', (error) => log.error('serve error', { error: error.message }));

  return {
    server,
    stop: async () => {
      stopping = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Let the open connections finish what they asked, then close them.
        void Promise.allSettled([...inFlight]).then(() => {
          for (const s of sockets) s.end();
          setTimeout(() => {
            for (const s of sockets) s.destroy();
          }, 1000).unref();
        });
      });
      await Promise.allSettled([...inFlight]);
      if (commitTimer !== null) clearInterval(commitTimer);
      commitSafely();
      log.info('serve stopped', { requests });
    },
  };
}
