/**
 * The summary of a period, with the live ports: the stored classes brought up to date (new
 * records, a changed configuration), PTR names and our published policy from DNS unless offline
 * (resolver null), then the summarize use case (src/jobs/summarize.ts).
 */
import type { Config } from '../types/config.js';
import type { SigningIdentity, SigningKeys } from '../types/signing-keys.js';
import { discoverDmarc } from '../dmarc/discovery.js';
import { policyTags } from '../dmarc/policy-tags.js';
import type { Period } from '../report/period.js';
import { createPtrNames, type PtrNames } from '../analyze/ptr-names.js';
import type { Summary } from '../analyze/summary/types.js';
import type { Clock } from '../ports/clock.js';
import type { DnsResolver } from '../ports/dns.js';
import type { Database } from '../store/database.js';
import { PtrCache } from '../store/ptr-cache.js';
import { classifyStored } from './classify-stored.js';
import { summarize, type SummaryPorts } from './summarize.js';
import { SUMMARY_PTR_BUDGET_MS as PTR_BUDGET_MS, SUMMARY_PTR_CONCURRENCY, SUMMARY_PTR_TIMEOUT_MS } from '../limits.js';

export interface LiveSummaryDeps {
  readonly db: Database;
  readonly config: Pick<Config, 'domains' | 'dns'>;
  /** null: offline, no DNS at all. */
  readonly resolver: DnsResolver | null;
  readonly keys: SigningKeys<SigningIdentity>;
  readonly clock: Clock;
}

export interface LiveSummaryRequest {
  /** null: `all` (src/jobs/summarize.ts). */
  readonly period: Period | null;
  /** null: every configured domain and every domain reported. */
  readonly domains: readonly string[] | null;
  /** Epoch seconds, for the "generated at" line. */
  readonly now: number;
}

export async function liveSummary(deps: LiveSummaryDeps, request: LiveSummaryRequest): Promise<Summary> {
  const { db, config, resolver, clock } = deps;
  // Bounded so that slow reverse DNS never holds the summary up for long: a few seconds per
  // call, the rest of the names come from the cache next time.
  const names = createPtrNames({
    cache: new PtrCache(db),
    resolver,
    clock,
    timeoutMs: Math.min(config.dns.timeoutMs, SUMMARY_PTR_TIMEOUT_MS),
    budgetMs: PTR_BUDGET_MS,
    concurrency: SUMMARY_PTR_CONCURRENCY,
  });
  await classifyStored(db, config, { keys: deps.keys, names, clock });
  return summarize(db, config, request, summaryPorts(resolver, names));
}

function summaryPorts(resolver: DnsResolver | null, names: PtrNames): SummaryPorts {
  return {
    namesFor: (ips) => names.namesFor(ips),
    publishedPolicy: async (domain) => {
      if (resolver === null) return null;
      // The record `ruaflow check` finds (RFC 9989 §4.10 tree walk), with the tag that applies.
      const found = await discoverDmarc(resolver, domain);
      return found.kind === 'found' ? { ...policyTags(found.record), recordDomain: found.owner, via: found.via, applies: found.applies } : null;
    },
  };
}
