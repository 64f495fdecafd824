/**
 * `ruaflow web [--listen 127.0.0.1:8080]`: the dashboard and its JSON API on a loopback address
 * (docs/web.md), until SIGTERM or SIGINT; then it stops listening, closes the database and exits
 * 0. Exit 2 for a non-loopback or malformed address, or one already in use.
 */
import { loadAppConfig } from '../../app/deps.js';
import { createLogger } from '../../platform/logger.js';
import { serveWebUntilStopped } from '../../web/server.js';
import { EXIT } from '../exit.js';
import { untilStopSignal as untilSignal } from '../stop-signals.js';
import type { CommonOptions } from '../options.js';

export interface WebOptions extends CommonOptions {
  readonly listen?: string;
}

export async function run(values: WebOptions): Promise<number> {
  const config = await loadAppConfig(values);
  const log = createLogger({ quiet: values.quiet === true });
  await serveWebUntilStopped({ config, db: values.db, listen: values.listen, log }, untilSignal);
  return EXIT.ok;
}
