/**
 * `ruaflow serve [--socket PATH | --listen 127.0.0.1:PORT] [--no-record] [--authserv-id ID]`:
 * the verification of `ruaflow verify` as a long-running local service (docs/verifying-mail.md
 * "The verify service"). SIGTERM / SIGINT: stop accepting, answer what is in flight, commit, exit 0.
 */
import { damaged, loadAppConfig, openApp, serveDeps } from '../../app/deps.js';
import { listenAddress, serveUntilStopped } from '../../jobs/serve-listen.js';
import { createLogger } from '../../platform/logger.js';
import { EXIT } from '../exit.js';
import { untilStopSignal as untilSignal } from '../stop-signals.js';
import type { CommonOptions } from '../options.js';

export interface ServeOptions extends CommonOptions {
  readonly socket?: string;
  readonly listen?: string;
  readonly authservId?: string;
  /** false with --no-record. */
  readonly record?: boolean;
}

export async function run(values: ServeOptions): Promise<number> {
  const where = await listenAddress(values);
  const config = await loadAppConfig(values);
  const app = values.record === false ? null : openApp(config, values.db);
  try {
    const log = createLogger({ quiet: values.quiet === true, buffered: true });
    await serveUntilStopped(serveDeps(config, app, log, values.authservId), where, untilSignal);
  } catch (error) {
    throw app === null ? error : damaged(error, app.dbPath);
  } finally {
    app?.close();
  }
  return EXIT.ok;
}
