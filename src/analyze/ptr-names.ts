/**
 * Host names of source IPs: the PTR name, trusted only when forward-confirmed — the name's A or
 * AAAA records contain the IP (FCrDNS, RFC 8601 §2.7.3's "iprev") — since anyone controlling a
 * reverse zone can claim any name. Answers are cached in the database (`ptr_cache`) for a day;
 * without a resolver (`--offline`) only the cache answers, whatever its age. Lookups run a few at
 * a time, each bounded in time, and a run makes at most `maxLookups` of them.
 *
 *   const names = createPtrNames({ cache: new PtrCache(db), resolver, clock });
 *   const map = await names.namesFor(['192.0.2.10', '2001:db8::25']);
 *   map.get('192.0.2.10')  // 'mail.example.com' | null (no confirmed name) | undefined (not known)
 */
import type { Clock } from '../ports/clock.js';
import { lookupAddresses, lookupPtr, reverseName, type DnsResolver } from '../ports/dns.js';
import type { PtrEntry } from '../store/ptr-cache.js';
import { parseAddress, sameAddress } from './correlate/ip-ranges.js';
import { withDeadline } from '../platform/deadline.js';
import { PTR_CACHE_TTL_SECONDS, PTR_CONCURRENCY, PTR_LOOKUP_TIMEOUT_MS, PTR_MAX_LOOKUPS_PER_RUN, PTR_NAMES_CHECKED as MAX_NAMES_CHECKED } from '../limits.js';

export interface PtrNames {
  /** ip → its forward-confirmed PTR name, or null when it has none. An IP is missing from the
   * map when its name is not known: offline without a cached answer, or a temporary DNS error. */
  namesFor(ips: readonly string[]): Promise<Map<string, string | null>>;
}

/** The cache as this module uses it (src/store/ptr-cache.ts). */
export interface PtrCachePort {
  get(ips: readonly string[]): Map<string, PtrEntry>;
  put(entries: readonly PtrEntry[]): void;
}

export interface PtrNamesOptions {
  readonly cache: PtrCachePort;
  /** null: offline, answer from the cache only. */
  readonly resolver: DnsResolver | null;
  readonly clock: Clock;
  /** How long a cached answer is used before it is asked again (default one day). */
  readonly ttlSeconds?: number;
  /** Lookups in flight at once (default 8). */
  readonly concurrency?: number;
  /** Bound on one IP's lookups, PTR and forward confirmation together (default 10 s). */
  readonly timeoutMs?: number;
  /** IPs looked up in DNS over the life of this object — one run — (default 2,000): a first run
   * over a year of reports must not spend an hour on reverse DNS. IPs past the budget stay
   * unknown and are asked on a later run; callers pass IPs most important first. */
  readonly maxLookups?: number;
  /** Bound on one `namesFor` call as a whole (default: none): when it passes, the names found
   * so far are returned and the rest stay unknown — a summary must not wait on slow DNS. */
  readonly budgetMs?: number;
}

export function createPtrNames(options: PtrNamesOptions): PtrNames {
  const ttl = options.ttlSeconds ?? PTR_CACHE_TTL_SECONDS;
  const concurrency = Math.max(1, options.concurrency ?? PTR_CONCURRENCY);
  const timeoutMs = options.timeoutMs ?? PTR_LOOKUP_TIMEOUT_MS;
  let budget = options.maxLookups ?? PTR_MAX_LOOKUPS_PER_RUN;
  return {
    async namesFor(ips) {
      const unique = [...new Set(ips)];
      const now = options.clock.now();
      const cached = options.cache.get(unique);
      const names = new Map<string, string | null>();
      const todo: string[] = [];
      for (const ip of unique) {
        const hit = cached.get(ip);
        if (hit !== undefined && (options.resolver === null || now - hit.fetchedAt < ttl)) {
          names.set(ip, hit.confirmed ? hit.name : null);
        } else if (options.resolver !== null && budget > 0 && parseAddress(ip) !== null) {
          todo.push(ip);
          budget--;
        }
      }
      const resolver = options.resolver;
      if (resolver === null || todo.length === 0) return names;

      const fresh: PtrEntry[] = [];
      let next = 0;
      let expired = false;
      const worker = async (): Promise<void> => {
        while (next < todo.length && !expired) {
          const ip = todo[next++] as string;
          const entry = await withDeadline(confirmedName(resolver, ip), timeoutMs, () => null);
          if (entry === null || expired) continue; // temporary failure or too late: not known, not cached
          const at = options.clock.now();
          fresh.push({ ip, name: entry.name, confirmed: entry.confirmed, fetchedAt: at });
          names.set(ip, entry.confirmed ? entry.name : null);
        }
      };
      const work = Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker));
      if (options.budgetMs === undefined) await work;
      else if ((await withDeadline(work, options.budgetMs, () => null)) === null) expired = true;
      // What is known now is returned and cached now; answers that arrive later are dropped (the
      // caller may have closed the cache's database by then) and asked again next run.
      options.cache.put(fresh.splice(0));
      return new Map(names);
    },
  };
}

/** The PTR name of `ip` and whether it points back; null on a temporary error. */
async function confirmedName(resolver: DnsResolver, ip: string): Promise<{ name: string | null; confirmed: boolean } | null> {
  const address = parseAddress(ip);
  if (address === null) return { name: null, confirmed: false };
  // An IPv4-mapped IPv6 source is looked up under in-addr.arpa, as the IPv4 address it is.
  const ptr = await lookupPtr(resolver, reverseName(address.toString()));
  if (ptr.kind === 'temperror') return null;
  if (ptr.kind === 'none') return { name: null, confirmed: false };
  const names = ptr.records.map((n) => n.toLowerCase().replace(/\.$/, '')).filter((n) => n !== '');
  const family = address.kind() === 'ipv4' ? 4 : 6;
  let uncertain = false;
  for (const name of names.slice(0, MAX_NAMES_CHECKED)) {
    const forward = await lookupAddresses(resolver, name, family);
    if (forward.kind === 'records' && forward.records.some((a) => sameAddress(a, ip))) return { name, confirmed: true };
    if (forward.kind === 'temperror') uncertain = true;
  }
  if (uncertain) return null;
  return { name: names[0] ?? null, confirmed: false };
}
