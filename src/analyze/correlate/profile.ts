/**
 * What should be sending for one of our domains, compiled once from `[[domains]]` and our signing
 * keys: relay ranges, services, the selectors we sign with and the ones we retired. Its `hash`
 * changes whenever anything that can change a classification changes, so stored classes are
 * redone then and only then.
 */
import { createHash } from 'node:crypto';
import type { DomainConfig } from '../../app/config.js';
import type { SigningKey } from '../../app/signing-keys.js';
import { ipRanges, type IpRanges } from './ip-ranges.js';
import { isUnder } from '../domain-under.js';

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


export function compileProfile(
  domain: DomainConfig,
  keys: readonly Pick<SigningKey, 'signingDomain' | 'selector'>[],
  allDomains: readonly string[],
): DomainProfile {
  const services = domain.services.map((s) => ({
    name: s.name,
    ips: ipRanges(s.ips),
    ptr: s.ptr.map(clean),
    dkim: s.dkim.map(clean),
  }));
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
