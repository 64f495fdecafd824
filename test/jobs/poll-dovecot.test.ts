/**
 * The poll job (pollPass) called directly, and `ruaflow poll` and `ruaflow daemon` end to end, against a real Dovecot (started here on free
 * loopback ports, TLS with a self-signed certificate), as a user runs them: real processes, real
 * SQLite files, kill -9 at several points.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { loadConfig } from '../../src/app/config.js';
import { openApp } from '../../src/app/deps.js';
import { pollPassDeps, requireImap } from '../../src/app/poll-setup.js';
import { pollPass, type PollTotals } from '../../src/jobs/poll.js';
import type { LogFields, Logger } from '../../src/ports/logger.js';
import { createImapConnector } from '../../src/sources/imap/connector.js';
import { ruaflow } from '../helpers/cli.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';

const SAMPLES = fileURLToPath(new URL('../fixtures/samples/aggregate/', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
const dir = mkdtempSync(join(tmpdir(), 'ruaflow-poll-'));
let dovecot: Dovecot;
let caFile: string;

const USERS = { dmarc: 'secret', kill: 'secret', daemon: 'secret', other: 'secret', job: 'secret', stop: 'secret' };

before(async () => {
  dovecot = await startDovecot({ users: USERS });
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, dovecot.caPem);
});
after(async () => {
  await dovecot?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function config(name: string, user: string, extra = ''): string {
  const path = join(dir, `${name}.toml`);
  writeFileSync(
    path,
    `[database]
path = "${join(dir, `${name}.sqlite`)}"

[imap]
host = "127.0.0.1"
port = ${dovecot.imapsPort}
secure = true
user = "${user}"
password = "${USERS[user as keyof typeof USERS] ?? 'secret'}"
ca_file = "${caFile}"
mailbox = "INBOX"
archive_mailbox = "DMARC/archive"
invalid_mailbox = "DMARC/invalid"
not_aggregate_mailbox = "DMARC/other"
${extra}
`,
  );
  return path;
}

/** A message carrying a plain report file as an attachment. */
function wrap(file: string, index: number): Buffer {
  const bytes = readFileSync(join(SAMPLES, file));
  const name = file.split('/').pop()!;
  return Buffer.from(
    [
      'From: dmarc-reports@reporter.example',
      'To: dmarc@example.com',
      `Subject: Report Domain: example.com Submitter: reporter.example Report-ID: <wrap-${index}>`,
      `Message-ID: <wrap-${index}@reporter.example>`,
      'Date: Sat, 21 Nov 2026 10:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'Aggregate report attached.',
      '--b',
      `Content-Type: application/octet-stream; name="${name}"`,
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: attachment; filename="${name}"`,
      '',
      bytes.toString('base64').replace(/.{76}/g, '$&\r\n'),
      '--b--',
      '',
    ].join('\r\n'),
  );
}

function files(sub: string): string[] {
  return readdirSync(join(SAMPLES, sub)).map((f) => `${sub}/${f}`);
}

function count(db: string, sql: string): number {
  const sqlite = new BetterSqlite3(db, { readonly: true });
  try {
    return (sqlite.prepare(sql).get() as { n: number }).n;
  } finally {
    sqlite.close();
  }
}

/** One pass of the poll job on the configuration `name` for `user`; every log event recorded. */
async function pass(name: string, user: string, signal?: AbortSignal): Promise<{ totals: PollTotals; events: string[]; listed: number[] }> {
  const events: string[] = [];
  const record = (event: string, _fields?: LogFields): void => void events.push(event);
  const log: Logger = { info: record, warn: record, error: record };
  const loaded = await loadConfig({ configPath: config(name, user), env: {}, cwd: dir });
  const imap = requireImap(loaded);
  const app = openApp(loaded, undefined);
  const listed: number[] = [];
  try {
    const totals = await pollPass(pollPassDeps(app, imap, createImapConnector(imap, log), log), {
      ...(signal !== undefined ? { signal } : {}),
      progressFor: (count) => {
        listed.push(count);
        return null;
      },
    });
    return { totals, events, listed };
  } finally {
    app.close();
  }
}

describe('pollPass against Dovecot', { timeout: 120_000 }, () => {
  it('ingests every message once and files each by its outcome; the next pass finds nothing', async () => {
    const emls = [...files('modoboa'), ...files('not-aggregate'), 'parsedmarc/twilight.eml', 'parsedmarc/mimecast-weird-gzip.eml'];
    for (const f of emls) await dovecot.appendMessage('job', 'INBOX', readFileSync(join(SAMPLES, f)));
    const { totals, events, listed } = await pass('job', 'job');
    assert.deepEqual(listed, [emls.length]);
    assert.deepEqual([totals.messages, totals.processed, totals.interrupted], [emls.length, emls.length, false]);
    // The PNG in a report's place and the domain-less Yahoo report.
    assert.equal(totals.invalid, 2);
    assert.equal(totals.invalidInputs.length, 2);
    assert.equal(totals.notAggregate, 6);
    assert.equal(totals.new + totals.duplicate + totals.invalid + totals.notAggregate, emls.length);
    assert.equal(events.filter((e) => e === 'message').length, emls.length);
    assert.equal((await dovecot.listMailbox('job', 'INBOX')).length, 0);
    assert.equal((await dovecot.listMailbox('job', 'DMARC/archive')).length, totals.new + totals.duplicate);
    assert.equal((await dovecot.listMailbox('job', 'DMARC/invalid')).length, 2);
    assert.equal((await dovecot.listMailbox('job', 'DMARC/other')).length, 6);
    assert.equal(count(join(dir, 'job.sqlite'), 'SELECT COUNT(*) n FROM reports'), totals.new);

    const again = await pass('job', 'job');
    assert.deepEqual([again.totals.messages, again.totals.new], [0, 0]);
  });

  it('asked to stop before it starts, it reads nothing and says it was interrupted', async () => {
    await dovecot.appendMessage('stop', 'INBOX', readFileSync(join(SAMPLES, 'parsedmarc/twilight.eml')));
    const stop = new AbortController();
    stop.abort();
    const { totals } = await pass('stop', 'stop', stop.signal);
    assert.deepEqual([totals.processed, totals.new, totals.interrupted], [0, 0, true]);
    assert.equal((await dovecot.listMailbox('stop', 'INBOX')).length, 1, 'the message stays for the next pass');
  });
});

describe('ruaflow poll against Dovecot', { timeout: 240_000 }, () => {
  it('ingests every sample message and files each one where it belongs', async () => {
    const emls = [...files('modoboa'), ...files('not-aggregate'), 'parsedmarc/twilight.eml', 'parsedmarc/mimecast-weird-gzip.eml'];
    for (const f of emls) await dovecot.appendMessage('dmarc', 'INBOX', readFileSync(join(SAMPLES, f)));
    const wrapped = ['parsedmarc/nice-input.xml.gz', 'parsedmarc/nice-input.xml.zip', 'parsedmarc/veeam.com!example.com!1530133200!1530219600.xml', 'parsedmarc/empty.xml'];
    for (const [i, f] of wrapped.entries()) await dovecot.appendMessage('dmarc', 'INBOX', wrap(f, i));
    const cfg = config('samples', 'dmarc');

    const first = await ruaflow(['poll', '--config', cfg, '--json']);
    assert.equal(first.code, 3, first.stderr); // the PNG, the domain-less Yahoo report and the empty file
    const t = JSON.parse(first.stdout) as Record<string, number>;
    assert.equal(t['messages'], emls.length + wrapped.length);
    assert.equal(t['processed'], emls.length + wrapped.length);
    assert.equal(t['invalid'], 3);
    assert.equal(t['not_aggregate'], 6);
    assert.equal(t['new'], 11);
    assert.equal(t['duplicate'], 2); // 163.com twice, nice-input as gz and zip
    // One log line per message, structured (stderr is not a TTY here).
    const lines = first.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.filter((l) => l['event'] === 'message').length, emls.length + wrapped.length);

    assert.equal((await dovecot.listMailbox('dmarc', 'INBOX')).length, 0);
    assert.equal((await dovecot.listMailbox('dmarc', 'DMARC/archive')).length, emls.length + wrapped.length - 9);
    assert.equal((await dovecot.listMailbox('dmarc', 'DMARC/invalid')).length, 3);
    assert.equal((await dovecot.listMailbox('dmarc', 'DMARC/other')).length, 6);
    assert.equal(count(join(dir, 'samples.sqlite'), 'SELECT COUNT(*) n FROM reports'), 11);

    const again = JSON.parse((await ruaflow(['poll', '--config', cfg, '--json'])).stdout) as Record<string, number>;
    assert.deepEqual([again['messages'], again['new']], [0, 0]);
  });

  it('kill -9 at several points of a batch, then another run: every report once, every message filed', async () => {
    const messages = 12;
    await appendReports('kill', 'kill-test', messages);
    const cfg = config('kill', 'kill', 'batch_size = 3');
    // Kill right after the 1st message of a batch, at a batch's last message (around its commit
    // and filing), and in the middle; a run that got to the end first (a loaded machine) is fine.
    const ends: (NodeJS.Signals | number | null)[] = [];
    for (const killAfter of [1, 3, 2, 4]) ends.push(await pollUntilKilled(cfg, killAfter));
    assert.ok(ends.every((e) => e === 'SIGKILL' || e === 0), JSON.stringify(ends));
    assert.ok(ends.filter((e) => e === 'SIGKILL').length >= 3, `killed ${JSON.stringify(ends)}`);
    const final = await ruaflow(['poll', '--config', cfg, '--json']);
    assert.equal(final.code, 0, final.stderr);
    const db = join(dir, 'kill.sqlite');
    assert.equal(count(db, 'SELECT COUNT(*) n FROM reports'), messages);
    assert.equal(count(db, "SELECT COUNT(DISTINCT report_id) n FROM reports WHERE report_id LIKE 'kill-test-%'"), messages);
    assert.equal((await dovecot.listMailbox('kill', 'INBOX')).length, 0);
    const archived = await dovecot.listMailbox('kill', 'DMARC/archive');
    assert.equal(archived.length, messages, 'each message filed exactly once');
    assert.equal(new Set(archived.map((m) => m.messageId)).size, messages);
  });

  it('the server going away mid-batch fails the run in one line (exit 1); the next run resumes and loses nothing', async () => {
    const messages = 8;
    await appendReports('other', 'gone-test', messages);
    const cfg = config('gone', 'other', 'batch_size = 2');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', TSX, MAIN, 'poll', '--config', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      let seen = 0;
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const lines = (stderr.match(/"event":"message"/g) ?? []).length;
        if (lines >= 3 && seen === 0) {
          seen = lines;
          dovecot.kill(); // every connection drops at once
        }
      });
      child.once('exit', (code) => resolve({ code, stderr }));
    });
    assert.equal(result.code, 1, result.stderr);
    const last = result.stderr.trim().split('\n').at(-1) ?? '';
    assert.match(last, /imap 127\.0\.0\.1:\d+: connection lost|cannot connect/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
    await dovecot.restart();
    const again = await ruaflow(['poll', '--config', cfg, '--json']);
    assert.equal(again.code, 0, again.stderr);
    const db = join(dir, 'gone.sqlite');
    assert.equal(count(db, "SELECT COUNT(*) n FROM reports WHERE report_id LIKE 'gone-test-%'"), messages);
    assert.equal((await dovecot.listMailbox('other', 'INBOX')).length, 0);
    assert.equal((await dovecot.listMailbox('other', 'DMARC/archive')).length, messages);
  });

  it('says what is wrong in one line: wrong password (2), unknown host (1), untrusted certificate (1), missing mailbox (2)', async () => {
    const variant = (name: string, edit: (toml: string) => string): string => {
      const path = config(name, 'dmarc');
      writeFileSync(path, edit(readFileSync(path, 'utf8')));
      return path;
    };
    const cases: [string, number, RegExp][] = [
      [variant('badpass', (t) => t.replace('password = "secret"', 'password = "wrong"')), 2, /authentication failed/],
      [variant('unknownhost', (t) => t.replace('host = "127.0.0.1"', 'host = "imap.nosuch.invalid"')), 1, /cannot connect/],
      [variant('badcert', (t) => t.replace(/ca_file = .*\n/, '')), 1, /certificate/],
      [variant('nomailbox', (t) => t.replace('mailbox = "INBOX"', 'mailbox = "Nope"')), 2, /does not exist/],
    ];
    for (const [path, code, message] of cases) {
      const r = await ruaflow(['poll', '--config', path]);
      assert.equal(r.code, code, `${path}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });

  it('a second poller on the same mailbox is refused with exit 4; the daemon ingests new mail via IDLE and stops on SIGTERM', async () => {
    const cfg = config('daemon', 'daemon', 'idle = true\n\n[schedule]\npoll = "off"');
    const daemon = spawn(process.execPath, ['--import', TSX, MAIN, 'daemon', '--config', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    daemon.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      await waitFor(() => stderr.includes('daemon started'), 20_000, () => stderr);
      const second = await ruaflow(['poll', '--config', cfg]);
      assert.equal(second.code, 4, second.stderr);
      assert.match(second.stderr, /another ruaflow \(pid \d+/);

      const started = Date.now();
      await dovecot.appendMessage('daemon', 'INBOX', readFileSync(join(SAMPLES, 'parsedmarc/twilight.eml')));
      await waitFor(() => exists(join(dir, 'daemon.sqlite')) && count(join(dir, 'daemon.sqlite'), 'SELECT COUNT(*) n FROM reports') === 1, 15_000, () => stderr);
      const latency = Date.now() - started;
      assert.ok(latency < 15_000, `ingested ${latency} ms after delivery`);
      await waitFor(async () => (await dovecot.listMailbox('daemon', 'DMARC/archive')).length === 1, 10_000, () => stderr);
    } finally {
      daemon.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((resolve) => daemon.once('exit', (c) => resolve(c)));
    assert.equal(code, 0, stderr);
    assert.match(stderr, /daemon stopped/);
  });
});

/** `n` one-record reports with report ids `<prefix>-0…`, each in a message of its own. */
async function appendReports(user: string, prefix: string, n: number): Promise<void> {
  const template = readFileSync(join(SAMPLES, 'parsedmarc/addisonfoods.com!example.com!1536105600!1536191999.xml'), 'utf8');
  for (let i = 0; i < n; i++) {
    const xml = Buffer.from(template.replace('3ceb5548498640beaeb47327e202b0b9', `${prefix}-${i}`));
    await dovecot.appendMessage(user, 'INBOX', xmlMessage(xml, `${prefix}-${i}`));
  }
}

function xmlMessage(bytes: Buffer, id: string): Buffer {
  return Buffer.from(
    [
      'From: dmarc-reports@reporter.example',
      `Subject: Report Domain: example.com Submitter: reporter.example Report-ID: <${id}>`,
      `Message-ID: <${id}@reporter.example>`,
      'MIME-Version: 1.0',
      'Content-Type: text/xml; name="report.xml"',
      'Content-Transfer-Encoding: base64',
      '',
      bytes.toString('base64').replace(/.{76}/g, '$&\r\n'),
      '',
    ].join('\r\n'),
  );
}

/** Start `ruaflow poll` and SIGKILL it right after its n-th per-message log line. */
function pollUntilKilled(cfg: string, n: number): Promise<NodeJS.Signals | number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, 'poll', '--config', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
    let seen = 0;
    let buffer = '';
    child.stderr.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (line.includes('"event":"message"') && ++seen === n) child.kill('SIGKILL');
    });
    child.once('exit', (code, signal) => resolve(signal ?? code));
  });
}

function exists(path: string): boolean {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean | Promise<boolean>, ms: number, context: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out after ${ms} ms; output so far:\n${context()}`);
}
