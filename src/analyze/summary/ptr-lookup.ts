/**
 * A small PTR namer for summaries: reverse lookup (RFC 1035 §3.5, RFC 3596 §2.5), then
 * forward confirmation — the name's A/AAAA records must contain the address, or anyone could
 * name their IP `mail.google.com` (FCrDNS, RFC 8601 §2.7.3's "iprev").
 *
 * Bounded: at most `concurrency` lookups at once, each limited by `timeoutMs`, all of them by
 * `budgetMs`; what is not answered by then is unnamed, so a slow resolver never holds a summary
 * up for long. Answers are kept in `cache` (ip → name | null).
 *
 * Stand-in for the shared PTR-name module with its database cache (src/analyze/ptr-names.ts,
 * src/store/ptr-cache.ts), which replaces it at merge behind the same `NamesFor` function.
 */
import type { DnsResolver } from '../../ports/dns.js';
import { lookupAddresses, lookupPtr, reverseName } from '../../ports/dns.js';
import type { NamesFor } from './types.js';

export interface PtrLookupOptions {
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  readonly budgetMs?: number;
  /** Look up at most this many addresses (callers pass them largest volume first). */
  readonly maxAddresses?: number;
  readonly cache?: Map<string, string | null>;
}

export function createPtrNamer(resolver: DnsResolver, options: PtrLookupOptions = {}): NamesFor {
  const concurrency = options.concurrency ?? 16;
  const timeoutMs = options.timeoutMs ?? 2000;
  const budgetMs = options.budgetMs ?? 8000;
  const maxAddresses = options.maxAddresses ?? 500;
  const cache = options.cache ?? new Map<string, string | null>();

  return async (ips) => {
    const out = new Map<string, string | null>();
    const todo = ips.filter((ip) => !cache.has(ip)).slice(0, maxAddresses);
    let stopped = false;
    const budget = new Promise<void>((resolve) => setTimeout(() => ((stopped = true), resolve()), budgetMs).unref());
    let next = 0;
    const worker = async (): Promise<void> => {
      while (!stopped && next < todo.length) {
        const ip = todo[next++]!;
        const name = await withTimeout(confirmedName(resolver, ip), timeoutMs);
        if (name !== undefined) cache.set(ip, name);
      }
    };
    await Promise.race([Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker)), budget]);
    stopped = true;
    for (const ip of ips) out.set(ip, cache.get(ip) ?? null);
    return out;
  };
}

/** The first PTR name that resolves back to `ip`; null when none does; undefined on a
 * temporary error (not cached, tried again next time). */
async function confirmedName(resolver: DnsResolver, ip: string): Promise<string | null | undefined> {
  const ptr = await lookupPtr(resolver, reverseName(ip));
  if (ptr.kind === 'temperror') return undefined;
  if (ptr.kind === 'none') return null;
  const family = ip.includes(':') ? 6 : 4;
  const want = normalise(ip);
  for (const raw of ptr.records.slice(0, 4)) {
    const name = raw.toLowerCase().replace(/\.$/, '');
    const forward = await lookupAddresses(resolver, name, family);
    if (forward.kind === 'records' && forward.records.some((a) => normalise(a) === want)) return name;
  }
  return null;
}

const normalise = (ip: string): string => ip.toLowerCase();

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}
