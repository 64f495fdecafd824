/**
 * Outgoing mail end to end at its boundaries: compose, DKIM-sign with our key, hand to a real
 * SMTP server through the nodemailer transport, and verify the received signature with mailauth
 * against a real DNS server on loopback. Also what the transport makes of 4xx, 5xx and a relay
 * that is not there.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import type { SmtpConfig } from '../../src/app/config.js';
import type { SigningKey } from '../../src/app/signing-keys.js';
import { publicKeyForDns } from '../../src/mail/dkim-key.js';
import { composeMessage } from '../../src/mail/compose.js';
import { signMessage } from '../../src/mail/dkim-sign.js';
import { fromDomain } from '../../src/mail/from-address.js';
import { createDnsResolver } from '../../src/platform/dns-resolver.js';
import { createSmtpTransport } from '../../src/platform/smtp-transport.js';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';
import { startSmtpServer, type SmtpTestServer } from '../helpers/smtp-server.js';
import { createPublicKey } from 'node:crypto';

let dns: DnsServer;
let smtp: SmtpTestServer;

function key(type: 'rsa' | 'ed25519'): SigningKey {
  const pair = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
  return {
    domain: 'example.com',
    signingDomain: 'example.com',
    selector: type === 'rsa' ? 's2048' : 'ed1',
    algorithm: type,
    bits: type === 'rsa' ? 2048 : 256,
    privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyDns: publicKeyForDns(createPublicKey(pair.privateKey)),
    privateKeyFile: '(test)',
    publicFileMismatch: false,
    via: 'own',
  };
}

const smtpConfig = (port: number): SmtpConfig => ({ host: '127.0.0.1', port, secure: false, user: null, password: null, passwordFile: null, from: 'DMARC <dmarc@example.com>' });

before(async () => {
  dns = await startDnsServer();
  smtp = await startSmtpServer({
    onRcpt: (address, attempt) => (address === 'busy@example.net' && attempt === 1 ? 451 : address === 'gone@example.net' ? 550 : undefined),
  });
});
after(async () => {
  await smtp.stop();
  await dns.stop();
});

describe('outgoing mail', () => {
  for (const type of ['rsa', 'ed25519'] as const) {
    it(`arrives DKIM-signed (${type}) and verifies against the published key`, async () => {
      const k = key(type);
      dns.set(`${k.selector}._domainkey.example.com`, { TXT: [`v=DKIM1; k=${type}; p=${k.publicKeyDns}`] });
      const raw = await composeMessage({
        from: 'DMARC <dmarc@example.com>',
        to: ['postmaster@example.net'],
        subject: 'Report Domain: example.net',
        text: 'hello',
        html: '<p>hello</p>',
        attachments: [{ filename: 'a.xml.gz', content: new Uint8Array([31, 139, 8, 0]), contentType: 'application/gzip' }],
        headers: { 'Auto-Submitted': 'auto-generated' },
        date: new Date('2026-11-30T00:00:00Z'),
        messageId: `test-${type}@example.com`,
      });
      const signed = await signMessage(raw, k, new Date());
      assert.equal(signed.error, null);
      const transport = createSmtpTransport(smtpConfig(smtp.port));
      const outcome = await transport.send({ from: 'dmarc@example.com', to: ['postmaster@example.net'] }, signed.raw);
      await transport.close();
      assert.equal(outcome.kind, 'sent');
      const received = smtp.messages.find((m) => m.raw.includes(`test-${type}@example.com`));
      assert.ok(received);
      assert.deepEqual(received.to, ['postmaster@example.net']);
      const verdict = await dkimVerify(received.raw, { resolver: createDnsResolver({ servers: [dns.server], timeoutMs: 2000 }) });
      assert.equal(verdict.results[0]?.status.result, 'pass', JSON.stringify(verdict.results[0]?.status));
      assert.equal(verdict.results[0]?.signingDomain, 'example.com');
    });
  }

  it('reports 4xx as deferred, 5xx as rejected, and an absent relay as deferred', async () => {
    const raw = await composeMessage({ from: 'dmarc@example.com', to: ['x@example.net'], subject: 's', text: 't', date: new Date(0), messageId: 'm@example.com' });
    const transport = createSmtpTransport(smtpConfig(smtp.port));
    const first = await transport.send({ from: 'dmarc@example.com', to: ['busy@example.net'] }, raw);
    assert.equal(first.kind, 'deferred');
    assert.equal(first.kind === 'deferred' ? first.code : 0, 451);
    assert.equal((await transport.send({ from: 'dmarc@example.com', to: ['busy@example.net'] }, raw)).kind, 'sent');
    const gone = await transport.send({ from: 'dmarc@example.com', to: ['gone@example.net'] }, raw);
    assert.equal(gone.kind, 'rejected');
    assert.deepEqual(gone.kind === 'rejected' ? [gone.code, gone.recipients] : [], [550, ['gone@example.net']]);
    await transport.close();
    const nowhere = createSmtpTransport(smtpConfig(1), { timeoutMs: 2000 });
    assert.equal((await nowhere.send({ from: 'dmarc@example.com', to: ['x@example.net'] }, raw)).kind, 'deferred');
    await nowhere.close();
  });

  it('finds the From domain of a From setting', () => {
    assert.equal(fromDomain('DMARC reports <Dmarc@Example.COM>'), 'example.com');
    assert.equal(fromDomain('dmarc@example.org'), 'example.org');
  });
});
