/**
 * `ruaflow verify` as an MTA runs it: the real CLI in a child process, DNS from the loopback
 * server through `[dns] servers`, evaluations in a real SQLite file; the exit code is the decision.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { ruaflow } from '../helpers/cli.js';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';
import { dkimZone, message, rsaKey, sign, withJunkSignatures } from './support.js';

let dns: DnsServer;
let dir: string;
let config: string;
let db: string;
const KEY = rsaKey(2048);

before(async () => {
  dns = await startDnsServer({
    'example.com': { TXT: ['v=spf1 ip4:192.0.2.10 -all'], A: ['192.0.2.10'] },
    '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@example.com'] },
    ...dkimZone('example.com', 'k', KEY),
    'news.example': { A: ['192.0.2.20'] },
    '_dmarc.news.example': { TXT: ['v=DMARC1; p=quarantine'] },
    'paypal.example': { A: ['192.0.2.30'] },
    // A resolver that never answers for these names (the key lookups of a signature flood).
    '*.silent.example': { silent: true },
  });
  dir = mkdtempSync(join(tmpdir(), 'ruaflow-verify-cli-'));
  db = join(dir, 'ruaflow.sqlite');
  config = join(dir, 'ruaflow.toml');
  writeFileSync(
    config,
    [
      '[database]',
      `path = "${db}"`,
      '[dns]',
      `servers = ["${dns.server}"]`,
      'timeout_ms = 800',
      '[reporter]',
      'org_name = "Receiver Ltd"',
      'email = "dmarc@receiver.example"',
      'domain = "receiver.example"',
      '[policy]',
      'known_signers = ["paypal.example"]',
      '',
    ].join('\n'),
  );
});
after(async () => {
  await dns.stop();
  rmSync(dir, { recursive: true, force: true });
});

const ENVELOPE = ['--ip', '192.0.2.10', '--helo', 'mail.example.com', '--mail-from', 'alice@example.com', '--rcpt', 'bob@receiver.example'];
const SPOOF = ['--ip', '203.0.113.7', '--helo', 'spoofer.test', '--mail-from', 'x@spoofer.test', '--rcpt', 'bob@receiver.example'];

const rows = (sql: string, ...params: unknown[]) => {
  const handle = new BetterSqlite3(db, { readonly: true });
  try {
    return handle.prepare(sql).all(...params) as Record<string, unknown>[];
  } finally {
    handle.close();
  }
};

describe('ruaflow verify', () => {
  it('accepts a signed message read from a file: header on stdout, exit 0, one log line per signature, one row', async () => {
    const file = join(dir, 'signed.eml');
    writeFileSync(file, await sign(message({ subject: 'file' }), [{ domain: 'example.com', selector: 'k', key: KEY }]));
    const r = await ruaflow(['verify', file, '--config', config, ...ENVELOPE]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Authentication-Results: receiver\.example;\n\tspf=pass smtp\.mailfrom=alice@example\.com;\n\tdkim=pass \(2048-bit key; aligned\) header\.d=example\.com header\.s=k header\.a=rsa-sha256 header\.b=\S+;\n\tdmarc=pass \(p=REJECT\) header\.from=example\.com polrec\.p=reject;\n\tarc=none\nX-Ruaflow-Decision: accept; reason="DKIM pass d=example\.com; DMARC pass \(p=reject\)"\n$/);
    const logs = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const dkimLines = logs.filter((l) => l['event'] === 'dkim');
    assert.equal(dkimLines.length, 1);
    assert.deepEqual(
      Object.fromEntries(['status', 'reason', 'host', 'domain', 'identity', 'selector', 'algorithm', 'bits'].map((k) => [k, dkimLines[0]?.[k]])),
      { status: 'pass', reason: null, host: '192.0.2.10', domain: 'example.com', identity: null, selector: 'k', algorithm: 'rsa-sha256', bits: 2048 },
    );
    const [row] = rows("SELECT * FROM evaluations WHERE message_id LIKE '%' ORDER BY id DESC LIMIT 1");
    assert.equal(row?.['decision'], 'accept');
    assert.equal(row?.['dmarc_result'], 'pass');
    assert.equal(row?.['spf_result'], 'pass');
  });

  it('reads stdin and prints the JSON evaluation', async () => {
    const input = (await sign(message({ subject: 'stdin' }), [{ domain: 'example.com', selector: 'k', key: KEY }])).toString();
    const r = await ruaflow(['verify', '-', '--config', config, '--json', '--quiet', ...ENVELOPE], { input });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const j = JSON.parse(r.stdout) as Record<string, any>;
    assert.deepEqual(j['spf'], { result: 'pass', domain: 'example.com', scope: 'mfrom', comment: j['spf'].comment });
    assert.deepEqual(j['dkim'], [
      { domain: 'example.com', selector: 'k', identity: null, algorithm: 'rsa-sha256', bits: 2048, result: 'pass', status: 'pass', reason: null, aligned: true },
    ]);
    assert.equal(j['dmarc'].result, 'pass');
    assert.equal(j['dmarc'].policy_domain, 'example.com');
    assert.equal(j['dmarc'].policy, 'reject');
    assert.equal(j['decision'], 'accept');
    assert.ok(Array.isArray(j['reasons']) && j['reasons'].length > 0);
    assert.match(j['authentication_results'], /^Authentication-Results: receiver\.example; spf=pass /);
  });

  it('exit codes: 10 quarantine, 69 reject, 75 defer', async () => {
    const quarantine = await ruaflow(['verify', '--config', config, '--quiet', ...SPOOF], { input: message({ from: 'n@news.example' }) });
    assert.equal(quarantine.code, 10, quarantine.stderr);
    assert.match(quarantine.stdout, /X-Ruaflow-Decision: quarantine/);

    const known = await ruaflow(['verify', '--config', config, '--quiet', ...SPOOF], { input: message({ from: 'service@paypal.example' }) });
    assert.equal(known.code, 69, known.stderr);
    assert.match(known.stdout, /X-Ruaflow-Decision: reject; reason="known signer paypal\.example without a passing signature/);

    const defer = await ruaflow(['verify', '--config', config, '--quiet', ...ENVELOPE], {
      input: (await sign(message(), [{ domain: 'example.com', selector: 'nokey', key: KEY }])).toString(),
    });
    assert.equal(defer.code, 75, defer.stderr);

    const recorded = rows("SELECT decision, COUNT(*) AS n FROM evaluations GROUP BY decision ORDER BY decision");
    assert.deepEqual(
      recorded.map((r) => r['decision']),
      ['accept', 'defer', 'quarantine', 'reject'],
    );
    const [reason] = rows("SELECT r.type, r.comment FROM evaluation_reasons r JOIN evaluations e ON e.id = r.evaluation_id WHERE e.decision = 'reject'");
    assert.equal(reason?.['type'], 'local_policy');
  });

  it('--no-record leaves the database alone; --authserv-id names us', async () => {
    const fresh = join(dir, 'untouched.sqlite');
    const r = await ruaflow(['verify', '--config', config, '--db', fresh, '--no-record', '--authserv-id', 'mx1.receiver.example', '--quiet', ...ENVELOPE], {
      input: message(),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Authentication-Results: mx1\.receiver\.example;/);
    assert.equal(existsSync(fresh), false);
  });

  it('bad command lines and bad input are one-line errors: exit 2 and 3', async () => {
    const missing = await ruaflow(['verify', '--config', config, '--helo', 'x', '--mail-from', '']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^ruaflow: verify: --ip is required/);
    const badIp = await ruaflow(['verify', '--config', config, '--ip', '999.1.1.1', '--helo', 'x', '--mail-from', '<>']);
    assert.equal(badIp.code, 2);
    assert.match(badIp.stderr, /--ip: expected an IPv4 or IPv6 address/);
    const empty = await ruaflow(['verify', '--config', config, ...ENVELOPE], { input: '' });
    assert.equal(empty.code, 3);
    assert.match(empty.stderr, /^ruaflow: stdin: the message is empty\n$/);
    const nofile = await ruaflow(['verify', join(dir, 'nope.eml'), '--config', config, ...ENVELOPE]);
    assert.equal(nofile.code, 1);
    assert.match(nofile.stderr, /nope\.eml: cannot read the message: no such file or directory/);

    const small = join(dir, 'small.toml');
    writeFileSync(small, `[dns]\nservers = ["${dns.server}"]\n[limits]\nmax_message_bytes = 100\n`);
    const big = await ruaflow(['verify', '--config', small, '--no-record', ...ENVELOPE], { input: message() });
    assert.equal(big.code, 3);
    assert.match(big.stderr, /exceeds the limit of 100 \(raise \[limits\] max_message_bytes to accept it\)/);
  });

  it('treats MAIL FROM <> as the null reverse-path: SPF checks the HELO name', async () => {
    const r = await ruaflow(['verify', '--config', config, '--json', '--quiet', '--ip', '192.0.2.10', '--helo', 'example.com', '--mail-from', '<>'], {
      input: message(),
    });
    const j = JSON.parse(r.stdout) as Record<string, any>;
    assert.deepEqual([j['spf'].scope, j['spf'].domain, j['spf'].result], ['helo', 'example.com', 'pass']);
    assert.equal(j['envelope'].mail_from, '');
  });

  it('a message with 1,000 DKIM signatures: at most [limits] max_dkim_signatures are checked, the author\'s among them, and the result says how many were not', async () => {
    const signed = await sign(message({ subject: 'flood' }), [{ domain: 'example.com', selector: 'k', key: KEY }]);
    const flood = await withJunkSignatures(signed, 999, (i) => `junk${i}.example`);
    const r = await ruaflow(['verify', '--config', config, '--json', '--quiet', ...ENVELOPE], { input: flood.toString('latin1') });
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as Record<string, any>;
    assert.equal(j['dkim'].length, 10);
    assert.equal(j['dkim_unchecked'], 990);
    // The signature that can align with From is checked first (RFC 6376 §6.1 leaves the order to us).
    const author = (j['dkim'] as { domain: string; result: string; aligned: boolean }[]).find((d) => d.domain === 'example.com');
    assert.deepEqual([author?.result, author?.aligned], ['pass', true]);
    assert.equal(j['dmarc'].result, 'pass');
    assert.match(j['authentication_results'], /\(990 more DKIM signatures not checked: \[limits\] max_dkim_signatures is 10\)/);
    assert.ok(j['authentication_results'].length < 4000, `header of ${j['authentication_results'].length} characters`);
    const [row] = rows('SELECT COUNT(*) AS n FROM evaluation_dkim WHERE evaluation_id = (SELECT MAX(id) FROM evaluations)');
    assert.equal(row?.['n'], 10);
  });

  it('stops at [serve] verify_timeout_ms as serve does: defer (exit 75), one line on stderr, nothing recorded', async () => {
    const slow = join(dir, 'slow.toml');
    writeFileSync(slow, `[database]\npath = "${db}"\n[dns]\nservers = ["${dns.server}"]\ntimeout_ms = 1500\n[serve]\nverify_timeout_ms = 700\n`);
    const flood = await withJunkSignatures(message({ subject: 'silent flood' }), 1000, (i) => `s${i}.silent.example`);
    const count = () => (existsSync(db) ? rows('SELECT COUNT(*) AS n FROM evaluations')[0]?.['n'] : 0);
    const before = count();
    const r = await ruaflow(['verify', '--config', slow, ...ENVELOPE], { input: flood.toString('latin1') });
    assert.equal(r.code, 75, r.stdout + r.stderr);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('{'));
    assert.deepEqual(lines.length, 1, r.stderr);
    assert.match(lines[0] ?? '', /^ruaflow: verification timed out after 700 ms \(DNS too slow\?\); not recorded: the message is deferred \(raise \[serve\] verify_timeout_ms to wait longer\)$/);
    assert.equal(count(), before, 'nothing recorded');
  });

  it('accepts an aligned bounce under p=reject on the SPF of its HELO name: dmarc=pass, exit 0', async () => {
    const bounce = message({ from: 'Mail Delivery System <MAILER-DAEMON@example.com>', subject: 'Undelivered Mail Returned to Sender' });
    const r = await ruaflow(['verify', '--config', config, '--quiet', '--ip', '192.0.2.10', '--helo', 'example.com', '--mail-from', '<>', '--rcpt', 'bob@receiver.example'], { input: bounce });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^Authentication-Results: receiver\.example;\n\tspf=pass smtp\.helo=example\.com;\n\tdkim=none \(message not signed\);\n\tdmarc=pass \(p=REJECT\) header\.from=example\.com polrec\.p=reject;\n\tarc=none\nX-Ruaflow-Decision: accept; /);
    const signed = await ruaflow(['verify', '--config', config, '--quiet', '--ip', '192.0.2.10', '--helo', 'example.com', '--mail-from', ''], {
      input: (await sign(bounce, [{ domain: 'example.com', selector: 'k', key: KEY }])).toString(),
    });
    assert.equal(signed.code, 0, signed.stdout + signed.stderr);
    assert.match(signed.stdout, /\tdmarc=pass \(p=REJECT\) header\.from=example\.com/);
  });
});
