/**
 * `ruaflow serve` from start to stop: where it listens (a unix socket, or a loopback port), a
 * stale socket file cleared, the verify service (serve.ts) listening until the stop signal, then
 * stopped: no new requests, what is in flight answered and committed, the socket file removed.
 */
import { existsSync, lstatSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import type { Config } from '../types/config.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../ports/logger.js';
import type { CommitGroup } from '../store/commit-group.js';
import { startVerifyService } from './serve.js';
import type { VerifyDeps } from './verify-message.js';

export type ListenAddress = { readonly kind: 'socket'; readonly path: string } | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

const DEFAULT_LISTEN = '127.0.0.1:8893';

/** `--socket PATH` or `--listen HOST:PORT` (default 127.0.0.1:8893); a socket file left by a
 * process that died is removed here, one that answers is in use. */
export async function listenAddress(options: { readonly socket?: string | undefined; readonly listen?: string | undefined }): Promise<ListenAddress> {
  if (options.socket !== undefined && options.listen !== undefined) throw new UsageError('serve: give --socket or --listen, not both');
  if (options.socket === undefined) return parseListen(options.listen ?? DEFAULT_LISTEN);
  await clearStaleSocket(options.socket);
  return { kind: 'socket', path: options.socket };
}

export interface ServeRunDeps {
  readonly verify: VerifyDeps;
  /** null: nothing is recorded. */
  readonly group: CommitGroup | null;
  readonly config: Pick<Config, 'limits' | 'serve' | 'dns'>;
  /** Buffered (many lines a second under load): flushed once the service has stopped. */
  readonly log: Logger & { flush(): void };
}

/** Listens on `where` until `stopped()` (asked for once listening) resolves, then stops the
 * service. A failure to listen is a UsageError naming the address. */
export async function serveUntilStopped(deps: ServeRunDeps, where: ListenAddress, stopped: () => Promise<void>): Promise<void> {
  const { config, log } = deps;
  const service = startVerifyService(deps.verify, { maxMessageBytes: config.limits.maxMessageBytes, limits: config.serve, group: deps.group, log });
  // One DNS query is bounded by [dns] timeout_ms; a request bound no longer than that turns a
  // single slow lookup into a timeout instead of the temperror (and defer) it should be.
  if (config.serve.verifyTimeoutMs <= config.dns.timeoutMs) {
    log.warn('verify_timeout_ms is not above [dns] timeout_ms: one slow DNS query fails a whole request', {
      verify_timeout_ms: config.serve.verifyTimeoutMs,
      dns_timeout_ms: config.dns.timeoutMs,
    });
  }

  try {
    await new Promise<void>((resolve, reject) => {
      service.server.once('error', reject);
      if (where.kind === 'socket') service.server.listen(where.path, resolve);
      else service.server.listen(where.port, where.host, resolve);
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new UsageError(`serve: cannot listen on ${where.kind === 'socket' ? where.path : `${where.host}:${where.port}`}: ${e.code ?? e.message}`);
  }
  const address = service.server.address();
  const label = typeof address === 'string' ? address : address === null ? '?' : `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  log.info('listening', { address: label, record: deps.group !== null });

  await stopped();
  try {
    await service.stop();
  } finally {
    log.flush();
    if (where.kind === 'socket' && existsSync(where.path)) unlinkSync(where.path);
  }
}

/** `127.0.0.1:8893`, `[::1]:8893`, `localhost:8893`: loopback only — the service has no
 * authentication, so it must not be reachable from the network. */
function parseListen(text: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (m === null || host === undefined || !(port >= 0 && port <= 65535)) throw new UsageError(`serve: --listen ${text}: expected HOST:PORT, e.g. ${DEFAULT_LISTEN}`);
  const loopback = host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  if (!loopback) throw new UsageError(`serve: --listen ${text}: only a loopback address (127.0.0.1, ::1) is allowed; use --socket for other local clients`);
  return { kind: 'tcp', host, port };
}

/** A socket file left by a process that died is removed; one that answers is in use. */
async function clearStaleSocket(path: string): Promise<void> {
  if (!existsSync(path)) return;
  if (!lstatSync(path).isSocket()) throw new UsageError(`serve: --socket ${path}: exists and is not a socket`);
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new UsageError(`serve: --socket ${path}: another server is listening there`);
  unlinkSync(path);
}
