/** Shared pieces of the check tests: a loopback DNS server per test file, our keys, a domain. */
import { generateKeyPairSync } from 'node:crypto';
import type { DomainConfig } from '../../../src/app/config.js';
import { type SigningKey } from '../../../src/app/signing-keys.js';
import { publicKeyForDns } from '../../../src/mail/dkim-key.js';
import type { CheckContext, DomainSetup } from '../../../src/analyze/check/context.js';
import type { CheckResult, CheckStatus } from '../../../src/analyze/check/types.js';
import { createDnsResolver } from '../../../src/platform/dns-resolver.js';
import type { DnsServer } from '../../helpers/dns-server.js';

/** 2026-11-30T00:00:00Z */
export const NOW = 1795996800;

/** No cache: each test changes the zone and must see its own answers. */
export const contextFor = (dns: DnsServer, readMailboxes: readonly string[] = ['dmarc@example.com']): CheckContext => ({
  resolver: createDnsResolver({ servers: [dns.server], timeoutMs: 1500 }, { cacheSeconds: 0 }),
  readMailboxes,
  now: NOW,
});

export function domainConfig(name: string, extra: Partial<DomainConfig> = {}): DomainConfig {
  return { name, dkimKeysDir: null, keys: [], retiredSelectors: [], relays: [], services: [], summaryTo: [], ...extra };
}

export const setupOf = (domain: DomainConfig, keys: readonly SigningKey[] = []): DomainSetup => ({ domain, keys });

export function makeKey(domain: string, selector: string, options: { type?: 'rsa' | 'ed25519'; bits?: number; signingDomain?: string; via?: SigningKey['via'] } = {}): SigningKey {
  const type = options.type ?? 'rsa';
  const bits = options.bits ?? 2048;
  const pair = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: bits }) : generateKeyPairSync('ed25519');
  return {
    domain,
    signingDomain: options.signingDomain ?? domain,
    selector,
    algorithm: type,
    bits: type === 'rsa' ? bits : 256,
    privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyDns: publicKeyForDns(pair.publicKey),
    privateKeyFile: `/etc/dkim/${domain}/private`,
    publicFileMismatch: false,
    via: options.via ?? 'own',
  };
}

/** The one result with this check name (fails the test when there are none or several). */
export function only(results: readonly CheckResult[], check: string): CheckResult {
  const found = results.filter((r) => r.check === check);
  if (found.length !== 1) throw new Error(`expected one ${check}, got ${found.length}: ${JSON.stringify(results, null, 1)}`);
  return found[0]!;
}

export const statuses = (results: readonly CheckResult[]): Record<string, CheckStatus> =>
  Object.fromEntries(results.map((r) => [r.check, r.status]));
