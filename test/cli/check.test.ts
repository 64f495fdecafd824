/**
 * `ruaflow check` end to end (each check's verdict is tested on the job in
 * test/jobs/check.test.ts): the real CLI, a real key folder in the qpsmtpd layout, a temp
 * configuration pointing `[dns] servers` at a loopback DNS server started here.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { publicKeyForDns } from '../../src/mail/dkim-key.js';
import { ruaflow } from '../helpers/cli.js';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';

const dir = mkdtempSync(join(tmpdir(), 'ruaflow-check-'));
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

describe('ruaflow check', () => {
  it('a good setup: exit 0, --json lists every check with status, detail and fix', async () => {
    resetZone();
    const config = writeConfig('good.toml', DOMAIN);
    const r = await ruaflow(['check', '--config', config, '--json'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const json = JSON.parse(r.stdout) as CheckJson;
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

  it('text output: one line per check, grouped per domain, fixes indented below warnings and failures', async () => {
    dns.set('_dmarc.example.com', { TXT: ['v=DMARC1; p=none; rua=mailto:dmarc@example.com'] });
    const r = await ruaflow(['check', '--config', writeConfig('text.toml', DOMAIN)], { cwd: dir });
    resetZone();
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'example.com');
    const policy = lines.findIndex((l) => /^ {2}WARN {2}dmarc\.policy +p=none/.test(l));
    assert.ok(policy > 0, r.stdout);
    assert.match(lines[policy + 1] ?? '', /^ {8}once the reports show/);
    assert.match(lines[policy + 2] ?? '', /^ {8}_dmarc\.example\.com\. IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@example\.com"$/);
    assert.ok(lines.some((l) => /^ {2}PASS {2}dkim\.selftest +a message signed with .* verifies/.test(l)));
    assert.match(r.stdout, /\d+ pass, 1 warn, 0 fail/);
  });

  it('a broken setup: exit 5, the failing checks named, each with a fix', async () => {
    dns.set('example.com', { TXT: ['v=spf1 ip4:192.0.2.99 -all'] });
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    dns.set('may2013._domainkey.example.com', { TXT: [`v=DKIM1; k=rsa; p=${publicKeyForDns(other)}`] });
    const r = await ruaflow(['check', '--config', writeConfig('broken.toml', DOMAIN), '--json'], { cwd: dir });
    resetZone();
    assert.equal(r.code, 5, r.stderr);
    const json = JSON.parse(r.stdout) as CheckJson;
    assert.equal(json.ok, false);
    const failed = json.domains[0]?.checks.filter((c) => c.status === 'fail') ?? [];
    assert.deepEqual([...new Set(failed.map((c) => c.check))].sort(), ['dkim.key_match', 'spf.relay']);
    for (const c of failed) assert.ok(c.fix !== null && c.fix.length > 0, c.check);
  });

  it('configuration problems are exit 2 with one line naming the key or file', async () => {
    const none = await ruaflow(['check', '--config', writeConfig('empty.toml', '')], { cwd: dir });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no \[\[domains\]\] in .*empty\.toml/);
    const unknown = await ruaflow(['check', '--config', writeConfig('typo.toml', `${DOMAIN}relay = ["192.0.2.1"]\n`)], { cwd: dir });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /relay/);
    const nokey = await ruaflow(['check', '--config', writeConfig('nokey.toml', '[[domains]]\nname = "example.com"\nkeys = [{ selector = "s1", private_key_file = "missing.pem" }]\n')], { cwd: dir });
    assert.equal(nokey.code, 2);
    assert.match(nokey.stderr, /private_key_file: cannot read .*missing\.pem/);
    const usage = await ruaflow(['check', '--frob'], { cwd: dir });
    assert.equal(usage.code, 2);
    assert.equal(usage.stderr.split('\n').filter((l) => l !== '').length, 1);
  });
});
