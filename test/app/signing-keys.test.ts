/**
 * The signing configuration read from real key folders in the qpsmtpd layout (seed 001).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseConfig } from '../../src/app/config.js';
import { loadSigningIdentities, loadSigningKeys } from '../../src/app/signing-keys.js';
import { ConfigError } from '../../src/errors.js';

const root = mkdtempSync(join(tmpdir(), 'ruaflow-keys-'));
after(() => rmSync(root, { recursive: true, force: true }));

function keyFolder(dir: string, domain: string, selector: string, type: 'rsa' | 'ed25519' = 'rsa', bits = 1024): { publicPem: string } {
  const pair =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: bits, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
      : generateKeyPairSync('ed25519', { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  mkdirSync(join(dir, domain), { recursive: true });
  writeFileSync(join(dir, domain, 'selector'), `${selector}\n`);
  writeFileSync(join(dir, domain, 'private'), pair.privateKey, { mode: 0o600 });
  writeFileSync(join(dir, domain, 'public'), pair.publicKey);
  return { publicPem: pair.publicKey };
}

const config = (toml: string) => parseConfig(toml, {}, join(root, 'ruaflow.toml'), { cwd: root });

describe('signing keys (qpsmtpd layout)', () => {
  const dir = join(root, 'dkim');
  keyFolder(dir, 'example.org', 'may2013');
  keyFolder(dir, 'example.net', 'ed1', 'ed25519');
  symlinkSync('example.org', join(dir, 'client.com'));

  it('reads own folders, follows a symlink to its target (d= the target), and falls back to the parent', () => {
    const keys = loadSigningKeys(
      config(`[[domains]]\nname = "example.org"\ndkim_keys_dir = "dkim"\n[[domains]]\nname = "client.com"\ndkim_keys_dir = "dkim"\n` +
        `[[domains]]\nname = "mail.example.org"\ndkim_keys_dir = "dkim"\n[[domains]]\nname = "example.net"\ndkim_keys_dir = "dkim"\n[[domains]]\nname = "nokey.example"\ndkim_keys_dir = "dkim"`),
    );
    const summary = keys.all.map((k) => [k.domain, k.signingDomain, k.selector, k.algorithm, k.bits, k.via]);
    assert.deepEqual(summary, [
      ['example.org', 'example.org', 'may2013', 'rsa', 1024, 'own'],
      ['client.com', 'example.org', 'may2013', 'rsa', 1024, 'symlink'],
      ['mail.example.org', 'example.org', 'may2013', 'rsa', 1024, 'parent'],
      ['example.net', 'example.net', 'ed1', 'ed25519', 256, 'own'],
    ]);
    // ed25519 publishes the bare 32-byte key (RFC 8463 §4.2).
    assert.equal(Buffer.from(keys.all[3]!.publicKeyDns, 'base64').length, 32);
    assert.deepEqual(keys.forDomain('news.example.net').map((k) => k.selector), ['ed1']);
    assert.deepEqual(keys.forDomain('nokey.example'), []);
  });

  it('flags a public file that does not match the private key', () => {
    const other = join(root, 'dkim-mismatch');
    keyFolder(other, 'example.com', 's1');
    const { publicPem } = keyFolder(join(root, 'elsewhere'), 'x.example', 's9');
    writeFileSync(join(other, 'example.com', 'public'), publicPem);
    const [key] = loadSigningKeys(config(`[[domains]]\nname = "example.com"\ndkim_keys_dir = "dkim-mismatch"`)).all;
    assert.equal(key?.publicFileMismatch, true);
  });

  it('reads explicit keys', () => {
    const { publicPem } = keyFolder(join(root, 'explicit'), 'k', 'ignored');
    const keys = loadSigningKeys(
      config(`[[domains]]\nname = "example.com"\nkeys = [{ selector = "s2026", private_key_file = "explicit/k/private", public_key_file = "explicit/k/public", domain = "example.com" }]`),
    );
    assert.equal(keys.all[0]?.selector, 's2026');
    assert.equal(keys.all[0]?.publicFileMismatch, false);
    assert.ok(publicPem.includes('PUBLIC KEY'));
  });

  it('finds selectors and signing domains without reading the private keys', () => {
    const unreadable = join(root, 'identities');
    keyFolder(unreadable, 'example.com', 's1');
    writeFileSync(join(unreadable, 'example.com', 'private'), 'not a key');
    const toml = `[[domains]]\nname = "example.com"\ndkim_keys_dir = "identities"\nkeys = [{ selector = "s2", private_key_file = "missing.pem", domain = "mail.example.com" }]`;
    assert.deepEqual(
      loadSigningIdentities(config(toml)).all.map((k) => [k.domain, k.signingDomain, k.selector, k.via]),
      [['example.com', 'example.com', 's1', 'own'], ['example.com', 'mail.example.com', 's2', 'own']],
    );
    assert.throws(() => loadSigningKeys(config(toml)), ConfigError);
  });

  it('names the key and the file when a key is unreadable or not a key', () => {
    const bad = join(root, 'bad');
    keyFolder(bad, 'example.com', 's1');
    writeFileSync(join(bad, 'example.com', 'private'), 'not a key');
    assert.throws(
      () => loadSigningKeys(config(`[[domains]]\nname = "example.com"\ndkim_keys_dir = "bad"`)),
      (e: unknown) => e instanceof ConfigError && /dkim_keys_dir: .*bad\/example\.com\/private: not a PEM private key/.test(e.message),
    );
    assert.throws(
      () => loadSigningKeys(config(`[[domains]]\nname = "example.com"\nkeys = [{ selector = "s1", private_key_file = "missing.pem" }]`)),
      (e: unknown) => e instanceof ConfigError && /keys #1 private_key_file: cannot read .*missing\.pem/.test(e.message),
    );
    assert.throws(
      () => loadSigningKeys(config(`[[domains]]\nname = "example.com"\ndkim_keys_dir = "no-such-dir"`)),
      (e: unknown) => e instanceof ConfigError && /dkim_keys_dir: cannot read .*no-such-dir/.test(e.message),
    );
    if (process.getuid?.() !== 0) {
      chmodSync(join(bad, 'example.com', 'private'), 0o000);
      assert.throws(() => loadSigningKeys(config(`[[domains]]\nname = "example.com"\ndkim_keys_dir = "bad"`)), ConfigError);
    }
  });
});
