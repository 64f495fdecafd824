/** `ruaflow sources [--domain D] [--period P] [--offline]`: every sending source of our domains,
 * with its class (ours, service, forwarded, spoof …) and the fix. */
import { loadAppConfig, openApp, dnsResolver } from '../../app/deps.js';
import { loadSigningIdentities } from '../../app/signing-keys.js';
import { parsePeriod, type Period } from '../../report/period.js';
import { createPtrNames } from '../../analyze/ptr-names.js';
import { renderSources, sourcesJson, type SourcesView } from '../../deliver/sources-text.js';
import { ConfigError, UsageError } from '../../errors.js';
import { classifyStored } from '../../jobs/classify-stored.js';
import { PtrCache } from '../../store/ptr-cache.js';
import { listSources } from '../../store/source-list.js';
import { EXIT } from '../exit.js';
import { normalizeDomain, type CommonOptions } from '../options.js';

export interface SourcesOptions extends CommonOptions {
  readonly domain?: string;
  readonly period?: string;
  readonly offline?: boolean;
}

export async function run(values: SourcesOptions): Promise<number> {
  const config = await loadAppConfig(values);
  const where = config.file ?? 'the configuration (no ruaflow.toml found; see --config)';
  if (config.domains.length === 0) {
    throw new ConfigError(
      `sources: no [[domains]] in ${where}: add one table per domain you own, e.g. [[domains]] name = "example.com" relays = ["192.0.2.10"] (README "Where your mail comes from")`,
    );
  }
  const configured = config.domains.map((d) => d.name);
  let domains = configured;
  if (values.domain !== undefined) {
    const wanted = normalizeDomain(values.domain);
    if (!configured.includes(wanted)) {
      throw new UsageError(`sources --domain ${values.domain}: not one of the [[domains]] in ${where} (${configured.join(', ')})`);
    }
    domains = [wanted];
  }
  const app = openApp(config, values.db);
  try {
    let period: Period | null = null;
    if (values.period !== undefined) {
      const parsed = parsePeriod(values.period, app.clock.now());
      if (!parsed.ok) throw new UsageError(`sources: ${parsed.message}`);
      period = parsed.period;
    }
    const keys = loadSigningIdentities(config);
    const names = createPtrNames({
      cache: new PtrCache(app.db),
      resolver: values.offline === true ? null : dnsResolver(config),
      clock: app.clock,
      timeoutMs: config.dns.timeoutMs * 2,
    });
    await classifyStored(app.db, config, { keys, names, clock: app.clock }, { domains });
    const views: SourcesView[] = [];
    for (const domain of domains) {
      const listed = listSources(app.db, domain, period);
      views.push({ period, domain: listed, names: await names.namesFor(listed.sources.map((s) => s.ip)) });
    }
    if (values.json) {
      const objects = views.map(sourcesJson);
      process.stdout.write(`${JSON.stringify(values.domain === undefined ? objects : objects[0])}\n`);
    } else {
      process.stdout.write(views.map(renderSources).join('\n'));
    }
    return EXIT.ok;
  } finally {
    app.close();
  }
}
