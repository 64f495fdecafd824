/**
 * The keygen job called directly: the key spec and its checks, the key folder in the qpsmtpd
 * layout, the records it makes (loaded into a loopback DNS server as they are: a message signed
 * with the key verifies, and the check job passes on them), replacing and symlinks.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/app/config.js';
import { dnsResolver } from '../../src/app/deps.js';
import { loadSigningKeys } from '../../src/app/signing-keys.js';
import type { Config } from '../../src/app/config.js';
import { runChecks } from '../../src/jobs/check.js';
import { keygen, keySpec, type KeygenRequest } from '../../src/jobs/keygen.js';
import { systemClock } from '../../src/ports/clock.js';
import { startKeygenSetup, type KeygenSetup } from '../helpers/keygen-setup.js';

let setup: KeygenSetup;
before(async () => {
  setup = await startKeygenSetup('ruaflow-keygen-job-');
});
after(() => setup.stop());

/** A working folder with a configuration naming the domain's relays and our rua mailbox. */
async function workspace(name: string, domain: string): Promise<{ cwd: string; config: Config }> {
  const { cwd, configFile } = setup.workspace(name, domain);
  return { cwd, config: await loadConfig({ configPath: configFile, env: {}, cwd }) };
}

/** No configuration file at all, as in a fresh folder. */
async function bare(name: string): Promise<{ cwd: string; config: Config }> {
  const cwd = join(setup.dir, name);
  mkdirSync(cwd, { recursive: true });
  return { cwd, config: await loadConfig({ configPath: undefined, env: {}, cwd }) };
}

const spec = (text: { type?: string; bits?: string; selector?: string } = {}) => keySpec(text, systemClock);
const request = (domain: string, more: Partial<KeygenRequest> = {}): KeygenRequest => ({ domain, spec: spec(), force: false, ...more });

describe('keySpec', () => {
  it('rsa 2048 with selector s<YYYYMM> by default; ed25519 is 256 bits', () => {
    const month = `s${new Date().toISOString().slice(0, 7).replace('-', '')}`;
    assert.deepEqual(keySpec({}, { now: () => Date.parse(`${new Date().toISOString().slice(0, 7)}-15T12:00:00Z`) / 1000 }), { algorithm: 'rsa', bits: 2048, selector: month });
    assert.deepEqual(spec({ type: 'ed25519', selector: 'ED1' }).selector, 'ed1');
    assert.deepEqual(spec({ bits: '1024' }).bits, 1024);
  });

  it('refuses what receivers would reject or is not a key type or a DNS label', () => {
    for (const [text, pattern] of [
      [{ bits: '512' }, /--bits 512: expected 1024-8192/],
      [{ bits: '9000' }, /--bits 9000: expected 1024-8192/],
      [{ bits: 'lots' }, /--bits lots: expected 1024-8192/],
      [{ type: 'dsa' }, /--type "dsa": expected rsa or ed25519/],
      [{ type: 'ed25519', bits: '2048' }, /--bits applies to rsa keys/],
      [{ selector: 'bad selector' }, /is not a DNS label/],
    ] as const) {
      assert.throws(() => spec(text), pattern);
    }
  });
});

describe('keygen', () => {
  it('writes the qpsmtpd layout; its records verify a signed message, and check passes on them', async () => {
    const { cwd, config } = await workspace('rsa', 'example.com');
    const made = keygen({ config, cwd }, request('example.com', { spec: spec({ selector: 'k1' }) }));
    const folder = join(cwd, 'keys', 'example.com');
    assert.equal(made.folder, folder);
    assert.equal(readFileSync(join(folder, 'selector'), 'utf8'), 'k1\n');
    assert.equal(statSync(join(folder, 'private')).mode & 0o777, 0o600);
    assert.match(readFileSync(join(folder, 'public'), 'utf8'), /^-----BEGIN PUBLIC KEY-----/);
    assert.equal(readFileSync(join(folder, 'dns'), 'utf8'), made.dnsText);
    assert.equal(made.elsewhere, null);
    assert.deepEqual(made.records.map((r) => [r.kind, r.name]), [['dkim', 'k1._domainkey.example.com'], ['spf', 'example.com'], ['dmarc', '_dmarc.example.com']]);
    assert.equal(made.records[1]?.value, 'v=spf1 ip4:192.0.2.10 ip6:2001:db8::/48 -all');
    assert.equal(made.records[2]?.value, 'v=DMARC1; p=none; rua=mailto:dmarc@example.com');
    for (const record of made.records) setup.dns.set(record.name, { TXT: [record.value] });
    assert.equal(await setup.signAndVerify(readFileSync(join(folder, 'private'), 'utf8'), 'example.com', 'k1'), 'pass');

    const checks = (await runChecks({ config, keys: loadSigningKeys(config), resolver: dnsResolver(config), clock: systemClock }, {}))[0]?.checks ?? [];
    assert.deepEqual(checks.filter((c) => c.status !== 'pass').map((c) => `${c.check}:${c.status}`), ['dmarc.policy:warn']);
    assert.ok(checks.some((c) => c.check === 'dkim.selftest' && c.status === 'pass'));
  });

  it('refuses to overwrite an existing key; force replaces it', async () => {
    const { cwd, config } = await workspace('again', 'example.org');
    keygen({ config, cwd }, request('example.org', { spec: spec({ selector: 'one' }) }));
    const privateFile = join(cwd, 'keys', 'example.org', 'private');
    const first = readFileSync(privateFile, 'utf8');
    assert.throws(() => keygen({ config, cwd }, request('example.org', { spec: spec({ selector: 'two' }) })), /private already exists \(selector one\); pass --force/);
    assert.equal(readFileSync(privateFile, 'utf8'), first);
    keygen({ config, cwd }, request('example.org', { spec: spec({ selector: 'two' }), force: true }));
    assert.notEqual(readFileSync(privateFile, 'utf8'), first);
    assert.equal(statSync(privateFile).mode & 0o777, 0o600);
    assert.equal(readFileSync(join(cwd, 'keys', 'example.org', 'selector'), 'utf8'), 'two\n');
  });

  it('another folder than the configured dkim_keys_dir is noted', async () => {
    const { cwd, config } = await workspace('elsewhere', 'example.net');
    const made = keygen({ config, cwd }, request('example.net', { dir: 'other' }));
    assert.deepEqual(made.elsewhere, { configured: join(cwd, 'keys'), used: join(cwd, 'other') });
  });

  it('without configuration: ./dkim, an mx SPF suggestion and a conventional rua', async () => {
    const { cwd, config } = await bare('bare');
    const made = keygen({ config, cwd }, request('example.com', { spec: spec({ selector: 'k1', bits: '1024' }) }));
    assert.ok(existsSync(join(cwd, 'dkim', 'example.com', 'private')));
    assert.equal(made.bits, 1024);
    assert.match(made.dnsText, /^example\.com\. IN TXT "v=spf1 mx -all"$/m);
    assert.match(made.dnsText, /^_dmarc\.example\.com\. IN TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@example\.com"$/m);
  });

  it("refuses to write through a symlinked domain folder (that is another domain's key)", async () => {
    const { cwd, config } = await bare('link');
    mkdirSync(join(cwd, 'dkim', 'example.org'), { recursive: true });
    symlinkSync('example.org', join(cwd, 'dkim', 'client.example'));
    assert.throws(() => keygen({ config, cwd }, request('client.example')), /is a symlink to example\.org/);
    assert.equal(existsSync(join(cwd, 'dkim', 'example.org', 'private')), false);
  });
});
