/**
 * `ruaflow web` from start to stop: the database opened once (read mode: a missing file is an
 * error naming it), the shared state built, the routes served on a loopback address until
 * `stopped()` resolves, then no new connections, open ones closed, the database closed.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { liveSummaryDeps, openApp } from '../app/deps.js';
import { health } from '../jobs/health.js';
import { liveSummary } from '../jobs/summary.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../ports/logger.js';
import type { Config } from '../types/config.js';
import { webApp } from './app.js';
import { parseWebListen, type WebListen } from './listen.js';
import type { WebState } from './state.js';

export interface WebRun {
  readonly config: Config;
  /** `--db`, else `[database] path`. */
  readonly db: string | undefined;
  /** `--listen`, else `[web] listen`. */
  readonly listen: string | undefined;
  readonly log: Logger;
}

/** `--listen` when given, else `[web] listen`: host and port, loopback only (a UsageError
 * naming where the address came from). */
function webListen(config: Pick<Config, 'file' | 'web'>, listen: string | undefined): WebListen {
  if (listen !== undefined) return parseWebListen(listen, '--listen');
  return parseWebListen(config.web.listen, `[web] listen${config.file === null ? '' : ` in ${config.file}`}`);
}

export async function serveWebUntilStopped(run: WebRun, stopped: () => Promise<void>): Promise<void> {
  const listen = webListen(run.config, run.listen);
  const app = openApp(run.config, run.db, 'read');
  try {
    const deps = liveSummaryDeps(app, true);
    let queue: Promise<unknown> = Promise.resolve();
    const exclusive = <T>(work: () => Promise<T> | T): Promise<T> => {
      const next = queue.then(work);
      queue = next.catch(() => undefined);
      return next;
    };
    const state: WebState = {
      app,
      basePath: run.config.web.basePath,
      now: () => app.clock.now(),
      // One summary at a time: bringing the stored classes up to date writes to the database.
      summary: (period, domains) => exclusive(() => liveSummary(deps, { period, domains, now: app.clock.now() })),
      exclusive,
      health: () => health(app.db),
    };
    const routes = webApp(state, (error) => run.log.error('request failed', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
    const server = serve({ fetch: routes.fetch, hostname: listen.host, port: listen.port });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('listening', resolve);
        server.once('error', reject);
      });
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      throw new UsageError(`web: cannot listen on ${listen.host}:${listen.port}: ${e.code ?? e.message}`, { cause: error });
    }
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    run.log.info('listening', { url: `http://${host}:${address.port}${state.basePath}/`, database: app.dbPath });

    await stopped();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeAllConnections' in server) server.closeAllConnections();
    });
    run.log.info('stopped');
  } finally {
    app.close();
  }
}
