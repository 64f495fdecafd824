/**
 * A folder for check tests: our DKIM key for example.com in the qpsmtpd layout
 * (dkim/example.com/selector and private, selector may2013), a loopback DNS server publishing a
 * good setup for it (SPF naming the relays, DMARC p=reject, the DKIM key), and configurations
 * written into the folder.
 *
 *   let setup: CheckSetup;
 *   before(async () => (setup = await startCheckSetup('ruaflow-check-')));
 *   after(() => setup.stop());
 *   … setup.writeConfig('good.toml', CHECK_DOMAIN) …
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publicKeyForDns } from '../../src/mail/dkim-key.js';
import { startDnsServer, type DnsServer } from './dns-server.js';
import { ownerToml } from './owner-config.js';

/** What `ruaflow check --json` prints. */
export interface CheckJson {
  domains: { domain: string; checks: { check: string; status: 'pass' | 'warn' | 'fail'; detail: string; fix: string | null }[] }[];
  ok: boolean;
}

/** example.com with the folder's key and the relays the good SPF record names. */
export const CHECK_DOMAIN = '[[domains]]\nname = "example.com"\ndkim_keys_dir = "dkim"\nrelays = ["192.0.2.10", "2001:db8::/48"]\n';

export interface CheckSetup {
  /** The folder (the key folder is dkim/ in it); removed by stop(). */
  readonly dir: string;
  readonly dns: DnsServer;
  /** A configuration `name` in the folder: [dns] at the server, [imap], then `body`. */
  writeConfig(name: string, body: string): string;
  /** Publish the good setup again, after a test changed the zone. */
  resetZone(): void;
  stop(): Promise<void>;
}

export async function startCheckSetup(prefix: string): Promise<CheckSetup> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyDns = publicKeyForDns(pair.publicKey);
  mkdirSync(join(dir, 'dkim', 'example.com'), { recursive: true });
  writeFileSync(join(dir, 'dkim', 'example.com', 'selector'), 'may2013\n');
  writeFileSync(join(dir, 'dkim', 'example.com', 'private'), pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const goodZone = () => ({
    'example.com': { TXT: ['v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/48 -all'] },
    '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@example.com'] },
    'may2013._domainkey.example.com': { TXT: [`v=DKIM1; k=rsa; p=${publicKeyDns}`] },
  });
  const dns = await startDnsServer(goodZone());
  return {
    dir,
    dns,
    writeConfig: (name, body) => {
      const file = join(dir, name);
      writeFileSync(file, ownerToml(dns.server, body));
      return file;
    },
    resetZone: () => {
      for (const [name, entry] of Object.entries(goodZone())) dns.set(name, entry);
    },
    stop: async () => {
      await dns.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What `check --json` says of the good zone, whether the job or the command produced it: every
 * check passes, each with its four fields, and every kind of check is there. */
export function assertGoodSetup(json: CheckJson): void {
  assert.equal(json.ok, true);
  assert.equal(json.domains.length, 1);
  const [domain] = json.domains;
  assert.equal(domain?.domain, 'example.com');
  for (const c of domain?.checks ?? []) {
    assert.deepEqual(Object.keys(c), ['check', 'status', 'detail', 'fix']);
    assert.equal(c.status, 'pass', `${c.check}: ${c.detail}`);
  }
  const names = new Set(domain?.checks.map((c) => c.check));
  for (const name of ['dmarc.record', 'dmarc.policy', 'dmarc.rua', 'spf.record', 'spf.lookups', 'spf.relay', 'dkim.record', 'dkim.key_match', 'dkim.key_size', 'dkim.selftest']) {
    assert.ok(names.has(name), name);
  }
}
