/**
 * The real DNS adapter: node's own resolver (c-ares) pointed at the system's servers or at
 * `[dns] servers`, with an overall time bound per query and a small answer cache.
 *
 * The cache keeps answers — and "no such record" — for a fixed time (node's resolver does not
 * expose TTLs for TXT/MX/PTR), and shares one in-flight query among concurrent callers, so a
 * busy verifier (`ruaflow serve`) or a summary naming thousands of sources asks each name once.
 * Temporary errors are never cached: the next caller asks again.
 */
import { Resolver } from 'node:dns/promises';
import type { DnsConfig } from '../types/config.js';
import { isNoRecord, type DnsResolver } from '../ports/dns.js';
import { withDeadline } from './deadline.js';
import { DNS_CACHE_ENTRIES as DEFAULT_CACHE_ENTRIES, DNS_CACHE_SECONDS as DEFAULT_CACHE_SECONDS, DNS_TRIES } from '../limits.js';

export interface ResolverOptions {
  /** Seconds an answer is reused; 0 disables the cache. */
  readonly cacheSeconds?: number;
  /** Entries kept before the oldest are dropped. */
  readonly cacheEntries?: number;
}

interface Entry {
  readonly expires: number;
  readonly answer: Promise<any[]>;
}

export function createDnsResolver(config: DnsConfig, options: ResolverOptions = {}): DnsResolver {
  // c-ares retries each server `tries` times with `timeout` each; the outer timer below bounds
  // the whole query, whatever the number of servers.
  const resolver = new Resolver({ timeout: Math.max(1, Math.floor(config.timeoutMs / DNS_TRIES)), tries: DNS_TRIES });
  if (config.servers.length > 0) resolver.setServers([...config.servers]);
  const query = (name: string, rrtype: string): Promise<any[]> =>
    withTimeout(resolver.resolve(name, rrtype) as Promise<any[]>, config.timeoutMs, name, rrtype);

  const ttlMs = (options.cacheSeconds ?? DEFAULT_CACHE_SECONDS) * 1000;
  if (ttlMs <= 0) return query;
  const maxEntries = options.cacheEntries ?? DEFAULT_CACHE_ENTRIES;
  const cache = new Map<string, Entry>();

  return (name, rrtype) => {
    const key = `${rrtype.toUpperCase()} ${name.toLowerCase().replace(/\.$/, '')}`;
    const now = Date.now();
    const hit = cache.get(key);
    if (hit !== undefined && hit.expires > now) return hit.answer;
    const answer = query(name, rrtype);
    cache.set(key, { expires: now + ttlMs, answer });
    if (cache.size > maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    // Keep "no such record"; forget temporary failures so that the next caller retries.
    answer.catch((error: unknown) => {
      if (!isNoRecord(error) && cache.get(key)?.answer === answer) cache.delete(key);
    });
    return answer;
  };
}

/** The query, or an `ETIMEOUT` error after `ms` (the late answer, if any, is ignored). */
function withTimeout<T>(promise: Promise<T>, ms: number, name: string, rrtype: string): Promise<T> {
  return withDeadline(promise, ms, (): never => {
    throw Object.assign(new Error(`DNS ${rrtype} ${name}: no answer within ${ms} ms`), { code: 'ETIMEOUT' });
  });
}
