/**
 * The check job called directly: a real key folder in the qpsmtpd layout, a temp configuration
 * pointing `[dns] servers` at a loopback DNS server started here.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/app/config.js';
import { dnsResolver } from '../../src/app/deps.js';
import { loadSigningKeys } from '../../src/app/signing-keys.js';
import { checksJson } from '../../src/deliver/check-text.js';
import { runChecks } from '../../src/jobs/check.js';
import { publicKeyForDns } from '../../src/mail/dkim-key.js';
import { systemClock } from '../../src/ports/clock.js';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';

const dir = mkdtempSync(join(tmpdir(), 'ruaflow-check-job-'));
let dns: DnsServer;
let publicKeyDns = '';

interface CheckJson {
  domains: { domain: string; checks: { check: string; status: 'pass' | 'warn' | 'fail'; detail: string; fix: string | null }[] }[];
  ok: boolean;
}

const GOOD_ZONE = () => ({
  'example.com': { TXT: ['v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/48 -all'] },
  '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@example.com'] },
  'may2013._domainkey.example.com': { TXT: [`v=DKIM1; k=rsa; p=${publicKeyDns}`] },
});

function writeConfig(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `[dns]\nservers = ["${dns.server}"]\ntimeout_ms = 1500\n\n[imap]\nhost = "imap.example.com"\nuser = "dmarc@example.com"\npassword = "secret"\n\n${body}`);
  return file;
}
const DOMAIN = '[[domains]]\nname = "example.com"\ndkim_keys_dir = "dkim"\nrelays = ["192.0.2.10", "2001:db8::/48"]\n';

before(async () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  publicKeyDns = publicKeyForDns(pair.publicKey);
  mkdirSync(join(dir, 'dkim', 'example.com'), { recursive: true });
  writeFileSync(join(dir, 'dkim', 'example.com', 'selector'), 'may2013\n');
  writeFileSync(join(dir, 'dkim', 'example.com', 'private'), pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  dns = await startDnsServer(GOOD_ZONE());
});
after(async () => {
  await dns.stop();
  rmSync(dir, { recursive: true, force: true });
});

const resetZone = () => {
  for (const [name, entry] of Object.entries(GOOD_ZONE())) dns.set(name, entry);
};

/** runChecks as `ruaflow check --json` calls it, as the JSON it prints. */
async function check(file: string, domain?: string): Promise<CheckJson> {
  const config = await loadConfig({ configPath: file, env: {}, cwd: dir });
  const domains = await runChecks({ config, keys: loadSigningKeys(config), resolver: dnsResolver(config), clock: systemClock }, { domain });
  return checksJson(domains) as CheckJson;
}

describe('runChecks', () => {
  it('a good setup: exit 0, --json lists every check with status, detail and fix', async () => {
    resetZone();
    const config = writeConfig('good.toml', DOMAIN);
    const json = await check(config);
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
  });

  it('a broken setup: exit 5, the failing checks named, each with a fix', async () => {
    dns.set('example.com', { TXT: ['v=spf1 ip4:192.0.2.99 -all'] });
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    dns.set('may2013._domainkey.example.com', { TXT: [`v=DKIM1; k=rsa; p=${publicKeyForDns(other)}`] });
    const json = await check(writeConfig('broken.toml', DOMAIN));
    resetZone();
    assert.equal(json.ok, false);
    const failed = json.domains[0]?.checks.filter((c) => c.status === 'fail') ?? [];
    assert.deepEqual([...new Set(failed.map((c) => c.check))].sort(), ['dkim.key_match', 'spf.relay']);
    for (const c of failed) assert.ok(c.fix !== null && c.fix.length > 0, c.check);
  });

  it('--domain checks one domain, also one that is not configured', async () => {
    const json = await check(writeConfig('one.toml', DOMAIN), 'other.example.net');
    assert.equal(json.ok, false);
    assert.deepEqual(json.domains.map((d) => d.domain), ['other.example.net']);
    assert.deepEqual(
      json.domains[0]?.checks.map((c) => [c.check, c.status]),
      [
        ['dmarc.record', 'fail'],
        ['spf.record', 'fail'],
        ['dkim.keys', 'warn'],
      ],
    );
  });

  it('an unreachable DNS server is a failed check that says to retry, not a crash', async () => {
    const config = join(dir, 'nodns.toml');
    writeFileSync(config, `[dns]\nservers = ["127.0.0.1:9"]\ntimeout_ms = 300\n\n${DOMAIN}`);
    const json = await check(config);
    assert.equal(json.ok, false);
    assert.match(json.domains[0]?.checks.find((c) => c.check === 'dmarc.record')?.detail ?? '', /DNS temperror .*retry/);
  });


  it('no [[domains]] and no domain asked for is a usage error naming the file', async () => {
    await assert.rejects(check(writeConfig('none.toml', '')), /check: no \[\[domains\]\] in .*none\.toml/);
  });
});
