/**
 * `ruaflow serve [--socket PATH | --listen 127.0.0.1:PORT] [--no-record] [--authserv-id ID]`:
 * the verification of `ruaflow verify` as a long-running local service (README "The verify
 * service"). SIGTERM / SIGINT: stop accepting, answer what is in flight, commit, exit 0.
 */
import { existsSync, lstatSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { loadAppConfig, openApp, verifyDeps } from '../../app/deps.js';
import { UsageError } from '../../errors.js';
import { startVerifyService } from '../../jobs/serve.js';
import { createLogger } from '../../platform/logger.js';
import { CommitGroup } from '../../store/commit-group.js';
import { EXIT } from '../exit.js';
import type { CommonOptions } from '../options.js';

export interface ServeOptions extends CommonOptions {
  readonly socket?: string;
  readonly listen?: string;
  readonly authservId?: string;
  /** false with --no-record. */
  readonly record?: boolean;
}

const DEFAULT_LISTEN = '127.0.0.1:8893';

export async function run(values: ServeOptions): Promise<number> {
  if (values.socket !== undefined && values.listen !== undefined) throw new UsageError('serve: give --socket or --listen, not both');
  const where = values.socket !== undefined ? ({ kind: 'socket', path: values.socket } as const) : parseListen(values.listen ?? DEFAULT_LISTEN);
  if (where.kind === 'socket') await clearStaleSocket(where.path);

  const config = await loadAppConfig(values);
  const app = values.record === false ? null : openApp(config, values.db);
  const log = createLogger({ quiet: values.quiet === true, buffered: true });
  // Group commits: many evaluations per transaction, committed within 100 ms and on stop.
  const group = app === null ? null : new CommitGroup(app.db, { maxInputs: 500, maxMillis: 100 });
  const service = startVerifyService(verifyDeps(config, app, log, values.authservId), {
    maxMessageBytes: config.limits.maxMessageBytes,
    limits: config.serve,
    group,
    log,
  });
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
    app?.close();
    const e = error as NodeJS.ErrnoException;
    throw new UsageError(`serve: cannot listen on ${where.kind === 'socket' ? where.path : `${where.host}:${where.port}`}: ${e.code ?? e.message}`);
  }
  const address = service.server.address();
  const label = typeof address === 'string' ? address : address === null ? '?' : `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  log.info('listening', { address: label, record: app !== null });

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  try {
    await service.stop();
  } finally {
    log.flush();
    app?.close();
    if (where.kind === 'socket' && existsSync(where.path)) unlinkSync(where.path);
  }
  return EXIT.ok;
}

/** `127.0.0.1:8893`, `[::1]:8893`, `localhost:8893`: loopback only — the service has no
 * authentication, so it must not be reachable from the network. */
function parseListen(text: string): { kind: 'tcp'; host: string; port: number } {
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
