/**
 * What should be sending for one of our domains, compiled once from `[[domains]]` and our signing
 * keys: relay ranges, services, the selectors we sign with and the ones we retired. Its `hash`
 * changes whenever anything that can change a classification changes, so stored classes are
 * redone then and only then.
 */
import { createHash } from 'node:crypto';
import type { DomainConfig, ServiceConfig } from '../../types/config.js';
import type { SigningKey } from '../../types/signing-keys.js';
import { ipRanges, type Address, type IpRanges } from './ip-ranges.js';
import { isUnder } from '../../dmarc/domain-under.js';

/** Bump when the rules in classify.ts change: every stored class is then redone. */
export const CLASSIFIER_VERSION = 1;

export interface ServiceProfile {
  readonly name: string;
  readonly ips: IpRanges;
  /** PTR-name suffixes, lower-case, no trailing dot. */
  readonly ptr: readonly string[];
  /** DKIM signing domains (d=), lower-case. */
  readonly dkim: readonly string[];
}

export interface OurKey {
  /** d= the key signs with. */
  readonly domain: string;
  readonly selector: string;
}

export interface DomainProfile {
  /** The configured domain, lower-case. */
  readonly name: string;
  readonly relays: IpRanges;
  readonly services: readonly ServiceProfile[];
  /** The keys we sign this domain's mail with. Empty when none is configured. */
  readonly keys: readonly OurKey[];
  readonly retiredSelectors: ReadonlySet<string>;
  /** Domains whose d= is ours: the domain and the signing domains of its keys (a symlinked key
   * folder or a parent's key signs as another domain). */
  readonly signingDomains: readonly string[];
  /** Changes when anything above changes (or the set of configured domains, which decides which
   * domain a record belongs to). */
  readonly hash: string;
}

const clean = (name: string): string => name.trim().toLowerCase().replace(/\.$/, '');

/** A configured service, compiled for matching. */
export const serviceProfile = (s: ServiceConfig): ServiceProfile => ({ name: s.name, ips: ipRanges(s.ips), ptr: s.ptr.map(clean), dkim: s.dkim.map(clean) });

/** The service a source belongs to by where it sent from: the first whose IP ranges hold `ip`,
 * else the first whose PTR-name suffixes hold `ptrName`. The classifier goes on to DKIM signing
 * domains (classify.ts); the summary names organisations with this alone (summary/organisations.ts). */
export function serviceByOrigin<S extends Pick<ServiceProfile, 'ips' | 'ptr'>>(
  ip: Address | string | null,
  ptrName: string | null,
  services: readonly S[],
): { readonly service: S; readonly by: 'ip' | 'ptr' } | null {
  for (const service of services) if (service.ips.contains(ip)) return { service, by: 'ip' };
  if (ptrName === null) return null;
  const name = clean(ptrName);
  for (const service of services) if (service.ptr.some((suffix) => isUnder(name, suffix))) return { service, by: 'ptr' };
  return null;
}


export function compileProfile(
  domain: DomainConfig,
  keys: readonly Pick<SigningKey, 'signingDomain' | 'selector'>[],
  allDomains: readonly string[],
): DomainProfile {
  const services = domain.services.map(serviceProfile);
  const ourKeys = keys.map((k) => ({ domain: clean(k.signingDomain), selector: k.selector.toLowerCase() }));
  const signingDomains = [...new Set([clean(domain.name), ...ourKeys.map((k) => k.domain)])];
  const retired = [...new Set(domain.retiredSelectors.map((s) => s.toLowerCase()))];
  const hashed = {
    version: CLASSIFIER_VERSION,
    name: clean(domain.name),
    domains: [...allDomains].map(clean).sort(),
    relays: [...domain.relays].sort(),
    services: domain.services.map((s) => ({ name: s.name, ips: [...s.ips].sort(), ptr: [...s.ptr].sort(), dkim: [...s.dkim].sort() })),
    keys: ourKeys.map((k) => `${k.selector}._domainkey.${k.domain}`).sort(),
    retired: [...retired].sort(),
  };
  return {
    name: clean(domain.name),
    relays: ipRanges(domain.relays),
    services,
    keys: ourKeys,
    retiredSelectors: new Set(retired),
    signingDomains,
    hash: createHash('sha256').update(JSON.stringify(hashed)).digest('hex').slice(0, 16),
  };
}

/**
 * The configured domain a record belongs to: its header From domain at or under one of ours,
 * else its policy domain; the most specific configured domain wins (`news.example.com` over
 * `example.com` when both are configured). null: not ours, not classified.
 */
export function ownerOf(headerFrom: string | null, policyDomain: string, domains: readonly string[]): string | null {
  for (const candidate of [headerFrom, policyDomain]) {
    if (candidate === null || candidate === '') continue;
    const name = clean(candidate);
    let best: string | null = null;
    for (const d of domains) if (isUnder(name, d) && (best === null || d.length > best.length)) best = d;
    if (best !== null) return best;
  }
  return null;
}
