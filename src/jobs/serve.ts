/**
 * The verify service: `ruaflow serve` on a unix socket or a loopback port. Busy MX hosts cannot
 * start a process per message; one process keeps the DNS cache warm and the database open.
 *
 * Lines in, lines out (src/receiver/serve-protocol.ts), one connection at a time handled by
 * serve-connection.ts. Requests on one connection run concurrently and are answered in order.
 * Evaluations are written in group commits (many per transaction, committed at least every
 * `commitMillis`); stop() commits the open group, so a SIGTERM loses nothing that was answered.
 *
 * The service has no authentication, so it bounds what any client can hold (ServeLimits,
 * src/extract/limits.ts): connections beyond `maxConnections` are refused with one error line;
 * idle connections and request lines that trickle in are closed (serve-connection.ts); and a
 * verification that outlives `verifyTimeoutMs` is answered with an error and abandoned — it
 * stops at its next DNS query and records nothing, so no answered timeout is recorded later.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { DEFAULT_SERVE_LIMITS, REFUSAL_LOG_INTERVAL_MS, SERVE_LIMIT_SETTINGS, type ServeLimits } from '../limits.js';
import type { DnsResolver } from '../ports/dns.js';
import type { Logger } from '../ports/logger.js';
import { evaluationJson } from '../receiver/evaluation-json.js';
import { maxLineBytes, parseRequest } from '../receiver/serve-protocol.js';
import type { Envelope } from '../receiver/types.js';
import type { CommitGroup } from '../store/commit-group.js';
import { closeSoon, PartialLines, serveConnection } from './serve-connection.js';
import { cutOff, timedOut } from './verify-deadline.js';
import { verifyMessage, type VerifyDeps } from './verify-message.js';

export interface ServeOptions {
  readonly maxMessageBytes: number;
  /** Connections and time (`[serve]`); DEFAULT_SERVE_LIMITS when left out. */
  readonly limits?: ServeLimits;
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

type Id = string | number | null;

export function startVerifyService(base: VerifyDeps, options: ServeOptions): VerifyService {
  const { group, log } = options;
  const limits = options.limits ?? DEFAULT_SERVE_LIMITS;
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
  // Verifications that timed out: answered already, winding down (their DNS queries are cut off).
  const abandoned = new Set<Promise<unknown>>();
  const sockets = new Set<Socket>();
  const partialLines = new PartialLines(log);
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
  // The id first, then the fields, without copying the (large) evaluation object into a new one.
  const withId = (id: Id, fields: Record<string, unknown>): string => {
    const body = JSON.stringify(fields);
    if (id === null) return body;
    return body === '{}' ? `{"id":${JSON.stringify(id)}}` : `{"id":${JSON.stringify(id)},${body.slice(1)}`;
  };
  // Parsing is synchronous and apart from the verification, so that the request line (the
  // message in base64, larger than the message) is garbage as soon as it is decoded instead of
  // living on in a suspended async frame while thousands of verifications are in flight.
  const answer = (line: string): Promise<string> => {
    requests++;
    const parsed = parseRequest(line, options.maxMessageBytes);
    if (!parsed.ok) return Promise.resolve(withId(parsed.id, { error: parsed.error }));
    const { id, envelope, message } = parsed.request;
    // Once stopping, nothing new is started: what is in flight is answered and committed.
    if (stopping) return Promise.resolve(withId(id, { error: 'the service is stopping; try again' }));
    return track(verifyAndAnswer(id, envelope, message));
  };
  const track = (work: Promise<string>): Promise<string> => {
    const tracked = work.catch((error: unknown) => JSON.stringify({ error: String(error) }));
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
    return tracked;
  };

  const verifyAndAnswer = (id: Id, envelope: Envelope, message: Buffer): Promise<string> =>
    new Promise<string>((answer) => {
      const controller = new AbortController();
      // The abort comes first, in the timer itself: from that moment verifyMessage can no longer
      // record. A verification that got there first recorded its evaluation in the same run of
      // microtasks that settles `work` and runs its callbacks below, which no timer can
      // interrupt: they clear the timer. Either an evaluation is recorded and answered, or the
      // answer is "timed out" and nothing is recorded, now or later. (Callbacks rather than a
      // Promise.race with a deadline promise: a few microseconds less per message.)
      const timer = setTimeout(() => {
        controller.abort(timedOut(limits.verifyTimeoutMs));
        const winding = work.catch(() => undefined);
        abandoned.add(winding);
        void winding.finally(() => abandoned.delete(winding));
        log.warn('verify timed out', { id, host: envelope.ip, sender: envelope.mailFrom, verify_ms: limits.verifyTimeoutMs });
        answer(
          withId(id, {
            error: `verification timed out after ${limits.verifyTimeoutMs} ms (DNS too slow?); not recorded (raise [serve] ${SERVE_LIMIT_SETTINGS.verifyTimeoutMs} to wait longer)`,
          }),
        );
      }, limits.verifyTimeoutMs);
      const failed = (error: unknown): void => {
        log.error('verify failed', { error: (error as Error).message });
        answer(withId(id, { error: `verification failed: ${(error as Error).message}` }));
      };
      const work = verifyMessage({ ...deps, resolver: cutOff(deps.resolver, controller.signal) }, message, envelope, controller.signal);
      work.then(
        (outcome) => {
          clearTimeout(timer);
          if (controller.signal.aborted) return;
          try {
            answer(withId(id, evaluationJson(outcome.evaluation)));
          } catch (error) {
            failed(error);
          }
        },
        (error: unknown) => {
          clearTimeout(timer);
          if (!controller.signal.aborted) failed(error);
        },
      );
    });

  // allowHalfOpen: a client may shut down its sending side after its last request (`nc -N`,
  // shutdown(SHUT_WR)) and still read the answers; without it node ends our side at the
  // client's FIN and the answers still being verified are lost. serve-connection.ts closes the
  // connection once they are written.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    // Full: the slowest unfinished request line makes room (serve-connection.ts), else refused.
    if (sockets.size >= limits.maxConnections && !partialLines.closeOldest(sockets.size)) {
      refuse(socket);
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, {
      maxLine,
      maxMessageBytes: options.maxMessageBytes,
      idleTimeoutMs: limits.idleTimeoutMs,
      lineTimeoutMs: limits.lineTimeoutMs,
      answer,
      log,
      partialLines,
    });
  });
  server.on('error', (error) => log.error('serve error', { error: error.message }));

  /** Over the cap: one line saying why, then closed. What the client sent is read and dropped,
   * so that closing does not reset the connection before the client has read the line. */
  // A flood of connections must not become a flood of log lines: the first refusal is logged at
  // once, later ones at most once a second with how many there were since.
  let refusedSince = 0;
  let lastRefusalLog = -Infinity;
  const refuse = (socket: Socket): void => {
    refusedSince++;
    const now = performance.now();
    if (now - lastRefusalLog >= REFUSAL_LOG_INTERVAL_MS) {
      log.warn('connection refused', { reason: 'too many connections', open: sockets.size, max_connections: limits.maxConnections, refused: refusedSince });
      refusedSince = 0;
      lastRefusalLog = now;
    }
    socket.resume();
    socket.write(`${JSON.stringify({ error: `too many connections (${limits.maxConnections} open): try again later (raise [serve] ${SERVE_LIMIT_SETTINGS.maxConnections} to allow more)` })}\n`);
    closeSoon(socket);
  };

  return {
    server,
    stop: async () => {
      stopping = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Let the open connections finish what they asked, then close them.
        void Promise.allSettled([...inFlight]).then(() => {
          for (const s of sockets) closeSoon(s);
        });
      });
      await Promise.allSettled([...inFlight, ...abandoned]);
      if (commitTimer !== null) clearInterval(commitTimer);
      commitSafely();
      log.info('serve stopped', { requests });
    },
  };
}
