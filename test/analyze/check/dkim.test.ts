/**
 * DKIM checks against key records served by a real loopback DNS server; the self-test signs
 * with mailauth and verifies through the same resolver.
 */
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { checkDkim } from '../../../src/analyze/check/dkim.js';
import { parseZoneTxt } from '../../../src/analyze/check/records.js';
import type { SigningKey } from '../../../src/app/signing-keys.js';
import { startDnsServer, type DnsServer } from '../../helpers/dns-server.js';
import { contextFor, domainConfig, makeKey, only, setupOf, statuses } from './support.js';

let dns: DnsServer;
before(async () => {
  dns = await startDnsServer();
});
after(() => dns.stop());

let n = 0;
const fresh = (): string => `k${++n}.example.com`;
const publish = (key: SigningKey, value = `v=DKIM1; k=${key.algorithm}; p=${key.publicKeyDns}`) =>
  dns.set(`${key.selector}._domainkey.${key.signingDomain}`, { TXT: [value] });
const run = (key: SigningKey, retired: readonly string[] = []) => checkDkim(setupOf(domainConfig(key.domain, { retiredSelectors: retired }), [key]), contextFor(dns));

// Key generation is the slow part: make each kind once.
const rsa2048 = makeKey('shared.example.com', 's1');
const withDomain = (key: SigningKey, domain: string, selector = key.selector): SigningKey => ({ ...key, domain, signingDomain: domain, selector });

describe('dkim.record, dkim.key_match, dkim.key_size, dkim.selftest', () => {
  it('passes a published 2048-bit key that matches ours; the self-test verifies', async () => {
    const key = withDomain(rsa2048, fresh());
    publish(key);
    const results = await run(key);
    assert.deepEqual(statuses(results), {
      'dkim.keys': 'pass',
      'dkim.record': 'pass',
      'dkim.key_match': 'pass',
      'dkim.key_size': 'pass',
      'dkim.algorithm': 'pass',
      'dkim.testing': 'pass',
      'dkim.selftest': 'pass',
    });
  });

  it('passes an ed25519 key (RFC 8463), self-test included', async () => {
    const key = makeKey(fresh(), 'ed1', { type: 'ed25519' });
    publish(key);
    const results = await run(key);
    assert.equal(only(results, 'dkim.key_match').status, 'pass');
    assert.equal(only(results, 'dkim.selftest').status, 'pass');
  });

  it('accepts p= published as a bare PKCS#1 RSAPublicKey', async () => {
    const key = withDomain(rsa2048, fresh());
    const pkcs1 = createPublicKey(key.privateKeyPem).export({ type: 'pkcs1', format: 'der' }).toString('base64');
    publish(key, `v=DKIM1; p=${pkcs1}`);
    assert.equal(only(await run(key), 'dkim.key_match').status, 'pass');
  });

  it('fails a missing record; the fix is our record in 255-character strings', async () => {
    const key = withDomain(rsa2048, fresh());
    const results = await run(key);
    const r = only(results, 'dkim.record');
    assert.equal(r.status, 'fail');
    const line = r.fix?.split('\n')[1] ?? '';
    assert.ok([...line.matchAll(/"([^"]*)"/g)].every((m) => (m[1] ?? '').length <= 255));
    assert.deepEqual(parseZoneTxt(line), { name: `s1._domainkey.${key.domain}`, value: `v=DKIM1; k=rsa; p=${key.publicKeyDns}` });
    assert.equal(results.some((x) => x.check === 'dkim.selftest'), false);
  });

  it('fails a revoked key (empty p=)', async () => {
    const key = withDomain(rsa2048, fresh());
    publish(key, 'v=DKIM1; p=');
    const r = only(await run(key), 'dkim.record');
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /revoked/);
  });

  it('fails a published key that is not ours', async () => {
    const key = withDomain(rsa2048, fresh());
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    publish(key, `v=DKIM1; k=rsa; p=${other}`);
    const results = await run(key);
    assert.equal(only(results, 'dkim.key_match').status, 'fail');
    assert.match(only(results, 'dkim.key_match').fix ?? '', new RegExp(key.publicKeyDns.slice(0, 60).replace(/[+/]/g, '\\$&')));
  });

  it('fails below 1024 bits, warns below 2048 (RFC 8301 §3.2); the self-test fails a 512-bit key too', async () => {
    const small = makeKey(fresh(), 's1', { bits: 1024 });
    publish(small);
    const warned = await run(small);
    assert.equal(only(warned, 'dkim.key_size').status, 'warn');
    assert.equal(only(warned, 'dkim.selftest').status, 'pass');
    const tiny = makeKey(fresh(), 's1', { bits: 512 });
    publish(tiny);
    const failed = await run(tiny);
    assert.equal(only(failed, 'dkim.key_size').status, 'fail');
    assert.equal(only(failed, 'dkim.selftest').status, 'fail');
  });

  it('flags h=sha1 only (RFC 8301 §3.1) and warns about t=y', async () => {
    const key = withDomain(rsa2048, fresh());
    publish(key, `v=DKIM1; h=sha1; t=y; k=rsa; p=${key.publicKeyDns}`);
    const results = await run(key);
    assert.equal(only(results, 'dkim.algorithm').status, 'fail');
    assert.equal(only(results, 'dkim.testing').status, 'warn');
    // h=sha1 also makes our rsa-sha256 signature fail verification.
    assert.equal(only(results, 'dkim.selftest').status, 'fail');
  });

  it('a DNS failure is a fail that says to retry', async () => {
    const key = withDomain(rsa2048, fresh());
    dns.set(`s1._domainkey.${key.domain}`, { servfail: true });
    const r = only(await run(key), 'dkim.record');
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /DNS temperror.*retry/);
  });
});

describe('dkim.keys, dkim.public_file, dkim.retired', () => {
  it('warns about a domain without a local key, naming keygen', async () => {
    const results = await checkDkim(setupOf(domainConfig(fresh())), contextFor(dns));
    assert.equal(only(results, 'dkim.keys').status, 'warn');
    assert.match(only(results, 'dkim.keys').fix ?? '', /ruaflow keygen k\d+\.example\.com/);
  });

  it('warns when the public file beside the private key does not match it', async () => {
    const key = { ...withDomain(rsa2048, fresh()), publicFileMismatch: true };
    publish(key);
    assert.equal(only(await run(key), 'dkim.public_file').status, 'warn');
    assert.equal((await run({ ...key, publicFileMismatch: false })).some((r) => r.check === 'dkim.public_file'), false);
  });

  it('warns while a retired selector still publishes a key; passes once it is revoked', async () => {
    const key = withDomain(rsa2048, fresh());
    publish(key);
    dns.set(`old._domainkey.${key.domain}`, { TXT: [`v=DKIM1; p=${key.publicKeyDns}`] });
    assert.equal(only(await run(key, ['old']), 'dkim.retired').status, 'warn');
    dns.set(`old._domainkey.${key.domain}`, { TXT: ['v=DKIM1; p='] });
    assert.equal(only(await run(key, ['old']), 'dkim.retired').status, 'pass');
  });
});
