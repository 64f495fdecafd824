/** `ruaflow sources [--domain D] [--period P] [--offline]`: every sending source of our domains,
 * with its class (ours, service, forwarded, spoof …) and the fix. */
import { loadAppConfig, openApp, sourcesDeps, usingApp } from '../../app/deps.js';
import { renderSources, sourcesJson } from '../../deliver/sources-text.js';
import { listDomainSources, sourceDomains } from '../../jobs/sources.js';
import { EXIT } from '../exit.js';
import { normalizeDomain, type CommonOptions } from '../options.js';

export interface SourcesOptions extends CommonOptions {
  readonly domain?: string;
  readonly period?: string;
  readonly offline?: boolean;
}

export async function run(values: SourcesOptions): Promise<number> {
  const config = await loadAppConfig(values);
  const domains = sourceDomains(config, values.domain === undefined ? undefined : { name: normalizeDomain(values.domain), typed: values.domain });
  return usingApp(openApp(config, values.db, 'read'), async (app) => {
    const views = await listDomainSources(sourcesDeps(app, values.offline === true), { domains, period: values.period });
    if (values.json) {
      const objects = views.map(sourcesJson);
      process.stdout.write(`${JSON.stringify(values.domain === undefined ? objects : objects[0])}\n`);
    } else {
      process.stdout.write(views.map(renderSources).join('\n'));
    }
    return EXIT.ok;
  });
}
