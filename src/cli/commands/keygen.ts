/** `ruaflow keygen DOMAIN [--selector S] [--bits 2048] [--type rsa|ed25519] [--dir DIR] [--force]`. */
import { loadAppConfig } from '../../app/deps.js';
import { keygen, keySpec } from '../../jobs/keygen.js';
import { systemClock } from '../../ports/clock.js';
import { EXIT } from '../exit.js';
import { keygenJson, renderKeygen } from '../keygen-output.js';
import { domainArgument, type CommonOptions } from '../options.js';

export interface KeygenOptions extends CommonOptions {
  readonly selector?: string;
  readonly bits?: string;
  readonly type?: string;
  readonly dir?: string;
  readonly force?: boolean;
}

export async function run(values: KeygenOptions, positionals: readonly string[]): Promise<number> {
  const domain = domainArgument('keygen', '', positionals[0] ?? '');
  // Checked before the configuration is read: a mistyped option is the first thing to hear about.
  const spec = keySpec(values, systemClock);
  const config = await loadAppConfig(values);
  const result = keygen({ config, cwd: process.cwd() }, { domain, spec, dir: values.dir, force: values.force === true });
  process.stdout.write(values.json === true ? `${JSON.stringify(keygenJson(result))}\n` : renderKeygen(result, process.cwd()));
  return EXIT.ok;
}
