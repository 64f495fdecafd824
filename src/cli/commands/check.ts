/** `ruaflow check [--domain D] [--json]`: our DMARC, SPF and DKIM setup as receivers see it. */
import { dnsResolver, loadAppConfig } from '../../app/deps.js';
import { loadSigningKeys } from '../../app/signing-keys.js';
import { checksJson, renderChecks } from '../../deliver/check-text.js';
import { runChecks } from '../../jobs/check.js';
import { systemClock } from '../../ports/clock.js';
import { EXIT } from '../exit.js';
import { domainArgument, type CommonOptions } from '../options.js';

export interface CheckOptions extends CommonOptions {
  readonly domain?: string;
}

export async function run(values: CheckOptions): Promise<number> {
  const config = await loadAppConfig(values);
  const domains = await runChecks({ config, keys: loadSigningKeys(config), resolver: dnsResolver(config), clock: systemClock }, { domain: values.domain === undefined ? undefined : domainArgument('check', '--domain ', values.domain) });
  const json = checksJson(domains);
  process.stdout.write(values.json ? `${JSON.stringify(json)}\n` : renderChecks(domains));
  return json.ok ? EXIT.ok : EXIT.checkFailed;
}
