/**
 * The weekly e-mail end to end: `ruaflow summary --send` (the real CLI) over the fixture reports,
 * through nodemailer to a real SMTP server in-process; each message parsed back with mailparser
 * (parts, subject, numbers) and its DKIM signature verified with mailauth against the loopback
 * DNS server. Also: per-domain recipients, skipping an empty period, send_empty, a refused
 * recipient (exit 1), a SIGTERM while mailing (the rest is still sent).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { loadConfig } from '../../src/app/config.js';
import { publicKeyForDns } from '../../src/mail/dkim-key.js';
import { scheduledSummaryDeps } from '../../src/app/deps.js';
import { scheduledSummary } from '../../src/jobs/summary-mail.js';
import { openDatabase } from '../../src/store/database.js';
import { createDnsResolver } from '../../src/platform/dns-resolver.js';
import { ruaflow } from '../helpers/cli.js';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';
import { startHoldingSmtpServer, startSmtpServer, type SmtpTestServer } from '../helpers/smtp-server.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/summary/', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
const dir = mkdtempSync(join(tmpdir(), 'ruaflow-summary-mail-'));
const db = join(dir, 'r.sqlite');
const WEEK = '2026-11-23..2026-11-29';
let dns: DnsServer;
let smtp: SmtpTestServer;

function writeConfig(name: string, extra = ''): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `[smtp]\nhost = "127.0.0.1"\nport = ${smtp.port}\nsecure = false\nfrom = "DMARC reports <dmarc@example.com>"\n\n` +
      `[summary]\nto = ["postmaster@example.net"]\n${extra}\n` +
      `[[domains]]\nname = "example.com"\ndkim_keys_dir = "keys"\nrelays = ["192.0.2.10"]\nsummary_to = ["com-team@example.net"]\n\n` +
      `[[domains]]\nname = "example.org"\nsummary_to = ["org-team@example.net", "postmaster@example.net"]\n`,
  );
  return path;
}

before(async () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  mkdirSync(join(dir, 'keys', 'example.com'), { recursive: true });
  writeFileSync(join(dir, 'keys', 'example.com', 'selector'), 's2026\n');
  writeFileSync(join(dir, 'keys', 'example.com', 'private'), pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  dns = await startDnsServer({
    's2026._domainkey.example.com': { TXT: [`v=DKIM1; k=rsa; p=${publicKeyForDns(createPublicKey(pair.privateKey))}`] },
  });
  smtp = await startSmtpServer({ onRcpt: (address) => (address === 'gone@example.net' ? 550 : undefined) });
  const ingest = await ruaflow(['ingest', '--db', db, FIXTURES]);
  assert.equal(ingest.code, 0, ingest.stderr);
});
beforeEach(() => {
  smtp.messages.length = 0;
});
after(async () => {
  await smtp.stop();
  await dns.stop();
  rmSync(dir, { recursive: true, force: true });
});

const send = (config: string, period: string, env: NodeJS.ProcessEnv = {}) =>
  ruaflow(['summary', '--send', '--offline', '--db', db, '--config', config, '--period', period], { env });

describe('ruaflow summary --send', () => {
  it('mails multipart text + HTML, DKIM-signed, to [summary] to and the per-domain recipients', async () => {
    const r = await send(writeConfig('a.toml'), WEEK);
    assert.equal(r.code, 0, r.stderr);
    // postmaster@ is in [summary] to (all domains) and in example.org's list: one message for it.
    assert.deepEqual(
      smtp.messages.map((m) => m.to.join(',')).sort(),
      ['com-team@example.net', 'org-team@example.net', 'postmaster@example.net'],
    );
    assert.equal(r.stdout.trim().split('\n').length, 3);
    assert.match(r.stdout, /summary sent to=postmaster@example\.net domains=example\.com,example\.org dkim=signed/);

    const all = smtp.messages.find((m) => m.to[0] === 'postmaster@example.net')!;
    assert.equal(all.from, 'dmarc@example.com');
    const mail = await simpleParser(all.raw);
    // example.com: 224 msgs, 177 pass = 79.0 %, previous week 100 % → −21.0; example.org: 3 msgs, none
    // passing, no previous week. 198.51.100.5 and 192.0.2.20 fail, but both are spoofs (unknown
    // sources): nothing to fix at the source. Our relay 192.0.2.10 passes DMARC, yet with keys
    // configured and no signature of ours it is ours-dkim-fail: one problem (issue 12 #17).
    assert.equal(mail.subject, 'DMARC summary 2026-11-23..2026-11-29: example.com 224 msgs, 79.0% pass (−21.0); example.org 3 msgs, 0.0% pass · 1 problem');
    assert.equal(mail.headers.get('auto-submitted'), 'auto-generated');
    assert.match(String(mail.headers.get('content-type') && (mail.headers.get('content-type') as { value: string }).value), /multipart\/alternative/);
    assert.match(mail.text ?? '', /messages 224 \(\+113% on the previous period\)/);
    assert.match(mail.text ?? '', /example\.org\n {2}messages 3\n/);
    assert.ok(typeof mail.html === 'string');
    assert.match(mail.html, />224</);
    assert.match(mail.html, />79\.0%</);
    assert.doesNotMatch(mail.html, /<script|<img|https?:\/\//i);
    assert.equal(mail.attachments.length, 0);

    const verdict = await dkimVerify(all.raw, { resolver: createDnsResolver({ servers: [dns.server], timeoutMs: 2000 }) });
    assert.equal(verdict.results[0]?.status.result, 'pass', JSON.stringify(verdict.results[0]?.status));
    assert.equal(verdict.results[0]?.signingDomain, 'example.com');
    assert.equal(verdict.results[0]?.selector, 's2026');

    const com = await simpleParser(smtp.messages.find((m) => m.to[0] === 'com-team@example.net')!.raw);
    assert.equal(com.subject, 'DMARC summary 2026-11-23..2026-11-29: example.com 224 msgs, 79.0% pass (−21.0) · 1 problem');
    assert.doesNotMatch(com.text ?? '', /example\.org/);
  });

  it('skips an empty period, and sends a heartbeat with send_empty = true', async () => {
    const quiet = '2026-10-01..2026-10-07';
    const skipped = await send(writeConfig('b.toml'), quiet);
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.equal(smtp.messages.length, 0);
    assert.match(skipped.stdout, /summary not sent \(nothing reported; set \[summary\] send_empty = true/);

    const heartbeat = await send(writeConfig('c.toml', 'send_empty = true'), quiet);
    assert.equal(heartbeat.code, 0, heartbeat.stderr);
    assert.equal(smtp.messages.length, 3);
    const mail = await simpleParser(smtp.messages.find((m) => m.to[0] === 'postmaster@example.net')!.raw);
    assert.equal(mail.subject, 'DMARC summary 2026-10-01..2026-10-07: example.com no reports; example.org no reports · no problems');
    // The empty period says where the data is (issue 12 #15).
    assert.match(mail.text ?? '', /No reports in 2026-10-01\.\.2026-10-07 \(2026-10-01 \.\. 2026-10-07 UTC\)\. The latest report ends 2026-11-30: try --period 2026-11-24\.\.2026-11-30 or --period all\./);
  });

  it('exits 1 when a recipient is refused, after sending the others', async () => {
    const r = await send(writeConfig('d.toml'), WEEK, { RUAFLOW_SUMMARY_TO: 'gone@example.net' });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /summary not sent \(rejected 550\).*to=gone@example\.net/);
    // example.org's two recipients get the same domains: one message for both.
    assert.deepEqual(smtp.messages.map((m) => m.to.join(',')).sort(), ['com-team@example.net', 'org-team@example.net,postmaster@example.net']);
  });

  it('the daemon job mails last week on its schedule: "DMARC weekly" in the subject', async () => {
    // 198.51.100.5 declared one of our relays: its failing mail is now ours to fix (a problem).
    const path = writeConfig('f.toml', `\n[dns]\nservers = ["${dns.server}"]\ntimeout_ms = 1000`);
    writeFileSync(path, readFileSync(path, 'utf8').replace('relays = ["192.0.2.10"]', 'relays = ["192.0.2.10", "198.51.100.5"]'));
    const config = await loadConfig({ configPath: path, env: {}, cwd: dir });
    const database = openDatabase(db);
    const lines: string[] = [];
    const log = { info: (e: string) => lines.push(e), warn: (e: string) => lines.push(e), error: (e: string) => lines.push(`error ${e}`) };
    try {
      // Monday 2026-11-30 08:00 UTC: last week is 2026-11-23 .. 2026-11-29, the fixtures' week.
      await scheduledSummary(scheduledSummaryDeps(database, config, log), { now: () => Date.parse('2026-11-30T08:00:00Z') / 1000 });
    } finally {
      database.close();
    }
    assert.deepEqual(lines, ['summary', 'summary', 'summary']);
    const mail = await simpleParser(smtp.messages.find((m) => m.to[0] === 'com-team@example.net')!.raw);
    // Both relays: 198.51.100.5 failing, 192.0.2.10 unsigned (ours-dkim-fail, issue 12 #17).
    assert.equal(mail.subject, 'DMARC weekly: example.com 224 msgs, 79.0% pass (−21.0) · 2 problems');
    assert.match(mail.text ?? '', /198\.51\.100\.5: 47 of 47 failing DMARC, class ours-(dkim|spf)-fail/);
    assert.equal(mail.date?.toISOString(), '2026-11-30T08:00:00.000Z');
  });

  it('the daemon job retries a deferred message later, sends the others once, and gives up after the last wait', async () => {
    const run = async (file: string, smtpPort: number, delays: readonly number[], signal?: AbortSignal) => {
      const path = writeConfig(file);
      writeFileSync(path, readFileSync(path, 'utf8').replace(`port = ${smtp.port}`, `port = ${smtpPort}`));
      const config = await loadConfig({ configPath: path, env: {}, cwd: dir });
      const database = openDatabase(db);
      const lines: string[] = [];
      const log = { info: (e: string) => lines.push(e), warn: (e: string) => lines.push(`warn ${e}`), error: (e: string) => lines.push(`error ${e}`) };
      try {
        await scheduledSummary(scheduledSummaryDeps(database, config, log), { now: () => Date.parse('2026-11-30T08:00:00Z') / 1000, retryDelaysMs: delays, ...(signal ? { signal } : {}) });
      } finally {
        database.close();
      }
      return lines;
    };

    // com-team@ gets 451 twice, then is accepted: three attempts; the other two messages go once.
    const flaky = await startSmtpServer({ onRcpt: (to, n) => (to === 'com-team@example.net' && n <= 2 ? 451 : undefined) });
    try {
      const lines = await run('retry.toml', flaky.port, [10, 10, 10]);
      assert.deepEqual(flaky.messages.map((m) => m.to.join(',')).sort(), ['com-team@example.net', 'org-team@example.net', 'postmaster@example.net']);
      assert.deepEqual(lines.filter((l) => l !== 'summary'), ['error summary not sent', 'warn summary retry', 'error summary not sent', 'warn summary retry']);
      assert.equal(lines.filter((l) => l === 'summary').length, 3);
    } finally {
      await flaky.stop();
    }

    // Always deferred: tried once plus once per wait, then given up (said so), never sent.
    const down = await startSmtpServer({ onRcpt: (to) => (to === 'com-team@example.net' ? 421 : undefined) });
    try {
      const lines = await run('giveup.toml', down.port, [10, 10]);
      assert.equal(lines.filter((l) => l === 'warn summary retry').length, 2);
      assert.equal(lines.filter((l) => l === 'error summary not sent').length, 3);
      assert.equal(lines.at(-1), 'error summary given up');
      assert.ok(!down.messages.some((m) => m.to.includes('com-team@example.net')));
      assert.equal(down.messages.length, 2, 'the other messages once each');

      // A stopping daemon does not wait out the retry: it gives up at once.
      const stop = new AbortController();
      const started = Date.now();
      const pending = run('stopping.toml', down.port, [60_000], stop.signal);
      setTimeout(() => stop.abort(), 300);
      const stopped = await pending;
      assert.ok(Date.now() - started < 30_000, 'did not wait for the minute');
      assert.equal(stopped.at(-1), 'error summary given up');
    } finally {
      await down.stop();
    }
  });

  it('SIGTERM while mailing waits for the rest: the summary reaches every recipient, not some', async () => {
    // The first message waits for its 250 until the test says so.
    const { smtp: slow, held, release } = await startHoldingSmtpServer();
    try {
      const path = writeConfig('g.toml');
      writeFileSync(path, readFileSync(path, 'utf8').replace(`port = ${smtp.port}`, `port = ${slow.port}`));
      const child = spawn(process.execPath, ['--import', TSX, MAIN, 'summary', '--send', '--offline', '--db', db, '--config', path, '--period', WEEK], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const deadline = Date.now() + 20_000;
      while (!held() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      assert.ok(held(), stderr);
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(child.exitCode, null, 'still sending');
      assert.match(stderr, /ruaflow: SIGTERM: sending the rest of the summary first/);
      release();
      assert.equal(await exited, 0, stderr);
      assert.deepEqual(slow.messages.map((m) => m.to.join(',')).sort(), ['com-team@example.net', 'org-team@example.net', 'postmaster@example.net']);
      assert.equal(stdout.trim().split('\n').length, 3);
    } finally {
      release();
      await slow.stop();
    }
  });

  it('exits 2 without recipients', async () => {
    const path = join(dir, 'e.toml');
    writeFileSync(path, `[smtp]\nhost = "127.0.0.1"\nport = ${smtp.port}\nfrom = "dmarc@example.com"\n`);
    const r = await send(path, WEEK);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^ruaflow: summary --send: no recipients; set \[summary\] to/);
  });
});
