/**
 * `ruaflow daemon`: the scheduled jobs the configuration allows (src/app/scheduler.ts), until
 * SIGTERM or SIGINT; then the running jobs end at a safe point, the database is closed, exit 0.
 */
import { damaged, loadAppConfig, openApp } from '../../app/deps.js';
import { planDaemon, runScheduler } from '../../app/scheduler.js';
import { createLogger } from '../../platform/logger.js';
import { EXIT } from '../exit.js';
import type { CommonOptions } from '../options.js';

export async function run(values: CommonOptions): Promise<number> {
  const config = await loadAppConfig(values);
  planDaemon(config);
  const app = openApp(config, values.db);
  const log = createLogger({ quiet: values.quiet === true });
  const stop = new AbortController();
  const onSignal = (signal: string): void => {
    log.info('stopping', { signal });
    stop.abort();
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  try {
    await runScheduler(app, log, stop.signal, process.pid);
  } catch (error) {
    throw damaged(error, app.dbPath);
  } finally {
    app.close();
  }
  log.info('daemon stopped');
  return EXIT.ok;
}
