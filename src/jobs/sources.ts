/**
 * `ruaflow sources`: every sending source of our domains in a period, with its class (ours,
 * service, forwarded, spoof …), volume and display name. The stored classes are brought up to
 * date first (new records, a changed configuration); names are forward-confirmed PTR names,
 * looked up unless offline (resolver null).
 */
import type { Config } from '../types/config.js';
import type { SigningIdentity, SigningKeys } from '../types/signing-keys.js';
import { parsePeriod, type Period } from '../report/period.js';
import { createPtrNames } from '../analyze/ptr-names.js';
import type { SourcesView } from '../deliver/sources-text.js';
import { ConfigError, UsageError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { DnsResolver } from '../ports/dns.js';
import type { Database } from '../store/database.js';
import { PtrCache } from '../store/ptr-cache.js';
import { listSources } from '../store/source-list.js';
import { classifyStored } from './classify-stored.js';

/** Which of our [[domains]] to list: all, or the one asked for (`name` normalised, `typed` as the
 * user wrote it, for the message). Checked before the database is opened. */
export function sourceDomains(config: Pick<Config, 'domains' | 'file'>, wanted?: { readonly name: string; readonly typed: string }): string[] {
  const where = config.file ?? 'the configuration (no ruaflow.toml found; see --config)';
  if (config.domains.length === 0) {
    throw new ConfigError(
      `sources: no [[domains]] in ${where}: add one table per domain you own, e.g. [[domains]] name = "example.com" relays = ["192.0.2.10"] (docs/sources-and-check.md)`,
    );
  }
  const configured = config.domains.map((d) => d.name);
  if (wanted === undefined) return configured;
  if (!configured.includes(wanted.name)) {
    throw new UsageError(`sources --domain ${wanted.typed}: not one of the [[domains]] in ${where} (${configured.join(', ')})`);
  }
  return [wanted.name];
}

export interface SourcesDeps {
  readonly db: Database;
  readonly config: Config;
  /** null: offline, no DNS at all (a source only a PTR name explains stays unknown). */
  readonly resolver: DnsResolver | null;
  /** Read when the classes are brought up to date. */
  readonly keys: () => SigningKeys<SigningIdentity>;
  readonly clock: Clock;
}

export interface SourcesRequest {
  /** From sourceDomains. */
  readonly domains: readonly string[];
  /** As typed (`--period`); undefined: all time. */
  readonly period?: string | undefined;
}

/** One view per domain, in the order asked. */
export async function listDomainSources(deps: SourcesDeps, request: SourcesRequest): Promise<SourcesView[]> {
  const { db, config, clock } = deps;
  const period = periodOf(request.period, clock);
  const names = createPtrNames({ cache: new PtrCache(db), resolver: deps.resolver, clock, timeoutMs: config.dns.timeoutMs * 2 });
  await classifyStored(db, config, { keys: deps.keys(), names, clock }, { domains: request.domains });
  const views: SourcesView[] = [];
  for (const domain of request.domains) {
    const listed = listSources(db, domain, period);
    views.push({ period, domain: listed, names: await names.namesFor(listed.sources.map((s) => s.ip)) });
  }
  return views;
}

/** null: all time. */
function periodOf(text: string | undefined, clock: Clock): Period | null {
  if (text === undefined) return null;
  const parsed = parsePeriod(text, clock.now());
  if (!parsed.ok) throw new UsageError(`sources: ${parsed.message}`);
  return parsed.period;
}
