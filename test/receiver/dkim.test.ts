/**
 * DKIM through the real verifier: messages signed by mailauth's dkimSign with RSA 1024 / 2048,
 * ed25519 and rsa-sha1, keys served by the loopback DNS server, rows checked in the SQLite file.
 * RFC 8301: rsa-sha1 and RSA keys under 1024 bits count as failed, with the reason recorded.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';
import { harness, type Harness } from './harness.js';
import { dkimZone, ed25519Key, message, rsaKey, sign } from './support.js';

let dns: DnsServer;
let h: Harness;

before(async () => {
  dns = await startDnsServer({
    'example.com': { TXT: ['v=spf1 ip4:192.0.2.10 -all'], A: ['192.0.2.10'] },
    '_dmarc.example.com': { TXT: ['v=DMARC1; p=none; rua=mailto:dmarc@example.com'] },
    ...dkimZone('example.com', 'r2048', rsaKey(2048)),
    ...dkimZone('example.com', 'r1024', rsaKey(1024)),
    ...dkimZone('example.com', 'r512', rsaKey(512)),
    ...dkimZone('example.com', 'ed', ed25519Key()),
    'slow._domainkey.example.com': { silent: true },
    'broken._domainkey.example.com': { TXT: ['v=DKIM1; k=rsa; p=bm90IGEga2V5'] },
  });
  h = harness(dns, { timeoutMs: 800 });
});
after(async () => {
  h.close();
  await dns.stop();
});

const dkimRows = (id: number) =>
  h.db.prepare('SELECT domain, selector, identity, algorithm, key_bits, result, reason, aligned, status FROM evaluation_dkim WHERE evaluation_id = ? ORDER BY n').all(id) as Record<string, unknown>[];

describe('DKIM signatures (RFC 6376, RFC 8301, RFC 8463)', () => {
  it('passes RSA 2048, RSA 1024 and ed25519 signatures, with key sizes', async () => {
    for (const [selector, key, bits, algorithm] of [
      ['r2048', rsaKey(2048), 2048, 'rsa-sha256'],
      ['r1024', rsaKey(1024), 1024, 'rsa-sha256'],
      ['ed', ed25519Key(), 256, 'ed25519-sha256'],
    ] as const) {
      const signed = await sign(message(), [{ domain: 'example.com', selector, key }]);
      const { evaluation, id } = await h.verify(signed);
      const [sig] = evaluation.auth.dkim;
      assert.equal(sig?.result, 'pass', selector);
      assert.equal(sig?.bits, bits);
      assert.equal(sig?.algorithm, algorithm);
      assert.equal(evaluation.verdict.decision, 'accept');
      assert.deepEqual(dkimRows(id), [
        { domain: 'example.com', selector, identity: null, algorithm, key_bits: bits, result: 'pass', reason: null, aligned: 1, status: 'pass' },
      ]);
      assert.match(evaluation.authenticationResults, new RegExp(`dkim=pass \\(${bits}-bit key; aligned\\) header\\.d=example\\.com header\\.s=${selector} header\\.a=${algorithm}`));
    }
  });

  it('fails an rsa-sha1 signature (RFC 8301 §3.1) even though it verifies, and rejects the message', async () => {
    const signed = await sign(message(), [{ domain: 'example.com', selector: 'r2048', key: rsaKey(2048), algorithm: 'rsa-sha1' }]);
    const { evaluation, id } = await h.verify(signed);
    const [row] = dkimRows(id);
    assert.equal(row?.['result'], 'fail');
    assert.equal(row?.['algorithm'], 'rsa-sha1');
    assert.match(String(row?.['reason']), /RFC 8301 section 3\.1/);
    assert.equal(evaluation.verdict.decision, 'reject');
    // It must not make DMARC pass either: SPF passes here, so DMARC passes through SPF only.
    assert.equal(evaluation.auth.dmarc.dkimAligned, false);
  });

  it('fails a signature made with a 512-bit RSA key (RFC 8301 §3.2) and records the key size', async () => {
    const signed = await sign(message(), [{ domain: 'example.com', selector: 'r512', key: rsaKey(512) }]);
    const { evaluation, id } = await h.verify(signed);
    const [row] = dkimRows(id);
    assert.equal(row?.['result'], 'fail');
    assert.equal(row?.['key_bits'], 512);
    assert.match(String(row?.['reason']), /512 bits is under 1024/);
    assert.equal(evaluation.verdict.decision, 'reject');
  });

  it('fails a signature over an altered body (a bad signature rejects at face value)', async () => {
    const signed = (await sign(message(), [{ domain: 'example.com', selector: 'r2048', key: rsaKey(2048) }])).toString().replace('Regards', 'Cheers');
    const { evaluation } = await h.verify(signed);
    assert.equal(evaluation.auth.dkim[0]?.result, 'fail');
    assert.equal(evaluation.auth.dkim[0]?.reason, 'body hash did not verify');
    assert.equal(evaluation.verdict.decision, 'reject');
  });

  it('defers when the key is missing, unusable, or its lookup times out (seed 000: invalid)', async () => {
    for (const [selector, result, reason] of [
      ['gone', 'permerror', /no key/],
      ['broken', 'permerror', /key/],
      ['slow', 'temperror', /DNS/],
    ] as const) {
      const signed = await sign(message(), [{ domain: 'example.com', selector, key: rsaKey(2048) }]);
      const started = performance.now();
      const { evaluation } = await h.verify(signed);
      assert.ok(performance.now() - started < 5000, `${selector}: took too long`);
      const [sig] = evaluation.auth.dkim;
      assert.equal(sig?.result, result, selector);
      assert.equal(sig?.status, 'invalid');
      assert.match(sig?.reason ?? '', reason);
      assert.equal(evaluation.verdict.decision, 'defer', selector);
    }
  });

  it('records every signature of a message signed twice, each with its own result', async () => {
    const signed = await sign(message(), [
      { domain: 'example.com', selector: 'r512', key: rsaKey(512) },
      { domain: 'example.com', selector: 'ed', key: ed25519Key() },
    ]);
    const { evaluation, id } = await h.verify(signed);
    const rows = dkimRows(id);
    assert.deepEqual(
      rows.map((r) => [r['selector'], r['result']]).sort(),
      [
        ['ed', 'pass'],
        ['r512', 'fail'],
      ],
    );
    // One passing signature is enough at face value.
    assert.equal(evaluation.verdict.decision, 'accept');
  });

  it('records the signature identity (i=) and writes it as header.i', async () => {
    const signed = await sign(message(), [{ domain: 'example.com', selector: 'r2048', key: rsaKey(2048), identity: 'billing@example.com' }]);
    const { evaluation, id } = await h.verify(signed);
    assert.equal(dkimRows(id)[0]?.['identity'], 'billing@example.com');
    assert.match(evaluation.authenticationResults, /header\.i=billing@example\.com/);
  });

  it('accepts an unsigned message and says so in the header', async () => {
    const { evaluation, id } = await h.verify(message());
    assert.equal(evaluation.auth.dkim.length, 0);
    assert.equal(evaluation.verdict.decision, 'accept');
    assert.match(evaluation.authenticationResults, /dkim=none \(message not signed\)/);
    assert.equal(dkimRows(id).length, 0);
  });
});
