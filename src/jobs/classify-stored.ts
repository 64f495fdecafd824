/**
 * Keep `record_classes` in step with the stored records and the configuration: every record of
 * one of our `[[domains]]` gets a class (src/analyze/correlate/classify.ts). Incremental:
 *
 * - a domain whose configuration hash changed (relays, services, keys, retired selectors, the set
 *   of configured domains, the classifier's version) is classified again from scratch;
 * - otherwise only records stored since the last run are read (`classified_domains`);
 * - a domain no longer configured loses its classes;
 * - where a service is matched by PTR name, classes that a name could change are redone when the
 *   name known now differs from the one they were made with.
 *
 * `ruaflow sources` runs it before listing; the summary and the ingest job can call it too.
 */
import type { Config } from '../types/config.js';
import type { SigningIdentity, SigningKeys } from '../types/signing-keys.js';
import { createPtrNames } from '../analyze/ptr-names.js';
import { PtrCache } from '../store/ptr-cache.js';
import { compileProfile, ownerOf, type DomainProfile } from '../analyze/correlate/profile.js';
import { classifyRecord } from '../analyze/correlate/classify.js';
import type { Classification } from '../analyze/correlate/classification.js';
import { sourceVerdictText } from '../deliver/source-verdict-text.js';
import { parseAddress } from '../analyze/correlate/ip-ranges.js';
import type { PtrNames } from '../analyze/ptr-names.js';
import type { Clock } from '../ports/clock.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../ports/logger.js';
import type { Database } from '../store/database.js';
import { RecordClassStore, type ClassRow, type StoredClassification, type StoredFacts } from '../store/record-classes.js';
import { CLASSIFY_BATCH as BATCH } from '../limits.js';

export interface ClassifyDeps {
  /** Our selectors and signing domains (read by src/app/signing-keys.ts loadSigningIdentities). */
  readonly keys: SigningKeys<SigningIdentity>;
  /** PTR names for services matched by `ptr`; null: classify without names (no PTR match). */
  readonly names: PtrNames | null;
  readonly clock: Clock;
}

export interface ClassifyOptions {
  /** Only these configured domains (default: all). */
  readonly domains?: readonly string[];
}

export interface ClassifyTotals {
  /** Records given a class in this run (new, or redone). */
  readonly classified: number;
  /** Domains classified from scratch because their configuration changed (or first time). */
  readonly rebuilt: readonly string[];
}

export async function classifyStored(
  db: Database,
  config: Pick<Config, 'domains'>,
  deps: ClassifyDeps,
  options: ClassifyOptions = {},
): Promise<ClassifyTotals> {
  const store = new RecordClassStore(db);
  const all = config.domains.map((d) => d.name);
  for (const stale of store.storedDomains()) if (!all.includes(stale)) store.clearDomain(stale);

  const wanted = options.domains === undefined ? config.domains : config.domains.filter((d) => options.domains?.includes(d.name));
  const through = store.maxRecordId();
  let classified = 0;
  const rebuilt: string[] = [];
  for (const domain of wanted) {
    const profile = compileProfile(domain, deps.keys.forDomain(domain.name), all);
    const state = store.domainState(profile.name);
    let after = state?.throughRecordId ?? 0;
    if (state === null || state.configHash !== profile.hash) {
      store.clearDomain(profile.name);
      rebuilt.push(profile.name);
      after = 0;
    }
    const done = new Set<number>();
    const ids = store
      .candidates(profile.name, after, through)
      .filter((c) => ownerOf(c.headerFrom, c.policyDomain, all) === profile.name)
      .map((c) => c.id);
    for (let i = 0; i < ids.length; i += BATCH) {
      const batch = ids.slice(i, i + BATCH);
      classified += await classifyBatch(store, store.facts(batch), profile, deps);
      for (const id of batch) done.add(id);
    }
    classified += await refreshPtrClasses(store, profile, deps, done);
    store.setDomainState(profile.name, { configHash: profile.hash, throughRecordId: through }, deps.clock.now());
  }
  return { classified, rebuilt };
}

const usesPtr = (profile: DomainProfile): boolean => profile.services.some((s) => s.ptr.length > 0);

/** Names are only needed for sources that are neither relays nor services by IP range. */
async function namesNeeded(records: readonly StoredFacts[], profile: DomainProfile, deps: ClassifyDeps): Promise<Map<string, string | null>> {
  if (deps.names === null || !usesPtr(profile)) return new Map();
  const ips = records
    .map((r) => r.facts.sourceIp)
    .filter((ip) => {
      const address = parseAddress(ip);
      return !profile.relays.contains(address) && !profile.services.some((s) => s.ips.contains(address));
    });
  return ips.length === 0 ? new Map() : deps.names.namesFor(ips);
}

async function classifyBatch(store: RecordClassStore, records: readonly StoredFacts[], profile: DomainProfile, deps: ClassifyDeps): Promise<number> {
  const names = await namesNeeded(records, profile, deps);
  const now = deps.clock.now();
  const rows: ClassRow[] = records.map((r) => {
    const ptrName = names.get(r.facts.sourceIp) ?? null;
    return {
      recordId: r.recordId,
      domain: profile.name,
      classification: stored(classifyRecord(r.facts, profile, ptrName)),
      ptrName,
      configHash: profile.hash,
      classifiedAt: now,
    };
  });
  store.save(rows);
  return rows.length;
}

/** The verdict as `record_classes` keeps it: finding and remedy in words. */
function stored(c: Classification): StoredClassification {
  const { reason, fix } = sourceVerdictText(c);
  return { class: c.class, cause: c.cause, service: c.service, matchedBy: c.matchedBy, reason, fix };
}

/** Redo the classes a PTR name could change when the name known now is not the one they were
 * made with. An IP whose name is not known now (offline, DNS trouble) keeps its class. */
async function refreshPtrClasses(store: RecordClassStore, profile: DomainProfile, deps: ClassifyDeps, done: ReadonlySet<number>): Promise<number> {
  if (deps.names === null || !usesPtr(profile)) return 0;
  const rows = store.ptrSensitive(profile.name).filter((r) => !done.has(r.recordId));
  if (rows.length === 0) return 0;
  const names = await deps.names.namesFor(rows.map((r) => r.sourceIp));
  const changed = rows.filter((r) => names.has(r.sourceIp) && (names.get(r.sourceIp) ?? null) !== r.ptrName).map((r) => r.recordId);
  let classified = 0;
  for (let i = 0; i < changed.length; i += BATCH) {
    classified += await classifyBatch(store, store.facts(changed.slice(i, i + BATCH)), profile, deps);
  }
  return classified;
}

/**
 * After `ingest`, `poll` and `run`: bring the classes of newly stored records up to date, without
 * DNS (PTR names from the cache only; `ruaflow sources` and the summary redo what a name
 * changes). Nothing to do without `[[domains]]`. A key that cannot be read is the
 * configuration's fault, not the reports': it is logged, and what was stored stays stored.
 */
export async function refreshClassesOffline(
  db: Database,
  config: Pick<Config, 'domains' | 'file'>,
  loadKeys: () => SigningKeys<SigningIdentity>,
  clock: Clock,
  log: Logger,
): Promise<ClassifyTotals | null> {
  if (config.domains.length === 0) return null;
  const names = createPtrNames({ cache: new PtrCache(db), resolver: null, clock });
  try {
    return await classifyStored(db, config, { keys: loadKeys(), names, clock });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log.warn('sources not classified', { reason: error.message });
    return null;
  }
}
