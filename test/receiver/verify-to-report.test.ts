/**
 * The receiver side end to end, as an MX runs it: `ruaflow verify` records what it saw, and the
 * next day `ruaflow send-reports` turns those evaluations into the report the sender asked for.
 * Real CLI processes, a real SQLite file, the loopback DNS server and a real SMTP server; the
 * report that arrives is read back through our own parser and compared with what was verified.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import { publicKeyForDns } from '../../src/mail/dkim-key.js';
import { ruaflow } from '../helpers/cli.js';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';
import { collect } from '../helpers/parse.js';
import { startSmtpServer, type SmtpTestServer } from '../helpers/smtp-server.js';
import { dkimZone, message, rsaKey, sign } from './support.js';

const SENDER_KEY = rsaKey(2048);
let dns: DnsServer;
let smtp: SmtpTestServer;
let dir: string;
let config: string;

before(async () => {
  const ours = generateKeyPairSync('rsa', { modulusLength: 2048 });
  dir = mkdtempSync(join(tmpdir(), 'ruaflow-verify-report-'));
  writeFileSync(join(dir, 'ours.pem'), ours.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  dns = await startDnsServer({
    'example.com': { TXT: ['v=spf1 ip4:192.0.2.10 -all'], A: ['192.0.2.10'] },
    '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@example.com'] },
    ...dkimZone('example.com', 'k', SENDER_KEY),
    's1._domainkey.receiver.example': { TXT: [`v=DKIM1; k=rsa; p=${publicKeyForDns(ours.publicKey)}`] },
  });
  smtp = await startSmtpServer();
  config = join(dir, 'ruaflow.toml');
  writeFileSync(
    config,
    `[database]\npath = "db.sqlite"\n[dns]\nservers = ["${dns.server}"]\ntimeout_ms = 1500\n` +
      `[reporter]\norg_name = "Receiver Ltd"\nemail = "dmarc-reports@receiver.example"\ndomain = "receiver.example"\n` +
      `[smtp]\nhost = "127.0.0.1"\nport = ${smtp.port}\nsecure = false\nfrom = "dmarc-reports@receiver.example"\n` +
      `[outbound]\npace_seconds = 0\n` +
      `[[domains]]\nname = "receiver.example"\nkeys = [{ selector = "s1", private_key_file = "ours.pem" }]\n`,
  );
});
after(async () => {
  await smtp.stop();
  await dns.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('verify, then send-reports', () => {
  it('reports to the sender exactly what verify recorded', async () => {
    const envelope = ['--helo', 'mail.example.com', '--mail-from', 'alice@example.com', '--rcpt', 'bob@receiver.example'];
    // Two signed messages from the sender's relay, one forgery from elsewhere.
    for (let i = 0; i < 2; i++) {
      const signed = await sign(message({ subject: `real ${i}` }), [{ domain: 'example.com', selector: 'k', key: SENDER_KEY }]);
      const r = await ruaflow(['verify', '-', '--config', config, '--quiet', '--ip', '192.0.2.10', ...envelope], { cwd: dir, input: signed.toString() });
      assert.equal(r.code, 0, r.stderr);
    }
    const forged = await ruaflow(['verify', '-', '--config', config, '--quiet', '--ip', '203.0.113.7', ...envelope], { cwd: dir, input: message({ subject: 'forged' }) });
    assert.equal(forged.code, 69, forged.stderr); // p=reject: rejected

    // A day passes: move what was recorded today to yesterday (send-reports reports ended days).
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const db = new BetterSqlite3(join(dir, 'db.sqlite'));
    db.prepare('UPDATE evaluations SET evaluated_at = evaluated_at - 86400').run();
    db.close();

    const sent = await ruaflow(['send-reports', '--period', yesterday, '--json', '--quiet'], { cwd: dir });
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(smtp.messages.length, 1);
    const mail = await simpleParser(smtp.messages[0]!.raw);
    assert.deepEqual(smtp.messages[0]!.to, ['dmarc@example.com']);
    assert.match(mail.subject ?? '', /^Report Domain: example\.com Submitter: receiver\.example Report-ID: /);
    const gz = mail.attachments.find((a) => a.contentType === 'application/gzip');
    assert.ok(gz, 'a gzip attachment');
    const parsed = collect(gunzipSync(gz.content).toString('utf8'));
    assert.equal(parsed.headerEvent?.policy.domain, 'example.com');
    assert.equal(parsed.headerEvent?.policy.p, 'reject');
    assert.equal(parsed.headerEvent?.orgName, 'Receiver Ltd');
    const bySource = new Map(parsed.records.map((r) => [r.sourceIp, r]));
    assert.deepEqual([...bySource.keys()].sort(), ['192.0.2.10', '203.0.113.7']);
    const real = bySource.get('192.0.2.10');
    assert.deepEqual([real?.count, real?.dkimAligned, real?.spfAligned, real?.disposition], [2, 'pass', 'pass', 'pass']);
    assert.deepEqual(real?.dkim.map((d) => [d.domain, d.selector, d.result]), [['example.com', 'k', 'pass']]);
    const fake = bySource.get('203.0.113.7');
    assert.deepEqual([fake?.count, fake?.dkimAligned, fake?.spfAligned, fake?.disposition], [1, 'fail', 'fail', 'reject']);
  });
});
