/** `ruaflow poll`: one pass over the rua mailbox. */
import { loadAppConfig, openApp, usingApp } from '../../app/deps.js';
import { requireImap } from '../../app/poll-setup.js';
import { createLogger } from '../../platform/logger.js';
import { EXIT } from '../exit.js';
import type { CommonOptions } from '../options.js';
import { pollOnce } from '../poll-once.js';
import { pollJson, renderPoll } from '../poll-output.js';

export async function run(values: CommonOptions): Promise<number> {
  const config = await loadAppConfig(values);
  const imap = requireImap(config);
  return usingApp(openApp(config, values.db), async (app) => {
    const totals = await pollOnce(app, imap, createLogger({ quiet: values.quiet === true }), { quiet: values.quiet === true });
    process.stdout.write(values.json === true ? `${JSON.stringify(pollJson(imap.mailbox, totals))}\n` : renderPoll(imap.mailbox, totals));
    return totals.invalid > 0 ? EXIT.someInvalid : EXIT.ok;
  });
}
