/**
 * `ruaflow daemon` without a rua mailbox: an MX host that only sends reports and summaries runs
 * the daemon for those jobs; a configuration with nothing to schedule is a one-line error; a
 * SIGTERM while the summary job runs lets it finish, mailed to every recipient, before the
 * daemon exits (against a real SMTP server and the loopback DNS server).
 * (Polling under the daemon is tested against Dovecot in test/jobs/poll-dovecot.test.ts.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { ruaflow } from '../helpers/cli.js';
import { startDnsServer } from '../helpers/dns-server.js';
import { startHoldingSmtpServer, startSmtpServer, type SmtpTestServer } from '../helpers/smtp-server.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
const dir = mkdtempSync(join(tmpdir(), 'ruaflow-daemon-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('ruaflow daemon without [imap]', () => {
  it('runs the jobs it can (send_reports, summary) and stops on SIGTERM', async () => {
    const cfg = join(dir, 'mx.toml');
    writeFileSync(
      cfg,
      `[database]\npath = "mx.sqlite"\n[smtp]\nhost = "127.0.0.1"\nport = 2525\nfrom = "dmarc@example.com"\n` +
        `[reporter]\norg_name = "Example"\nemail = "dmarc@example.com"\ndomain = "example.com"\n[summary]\nto = ["postmaster@example.com"]\n`,
    );
    const daemon = spawn(process.execPath, ['--import', TSX, MAIN, 'daemon', '--config', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    daemon.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => daemon.once('exit', (c) => resolve(c)));
    const deadline = Date.now() + 20_000;
    while (!stderr.includes('daemon started') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    daemon.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    const started = stderr.split('\n').find((l) => l.includes('daemon started')) ?? '';
    assert.match(started, /"jobs":"summary,send_reports"/, stderr);
    // When each scheduled job runs next, in the start line (defaults: summary Monday 08:00,
    // send_reports 00:15 daily, the database check 03:45 daily; local time, as node-cron runs them).
    const line = JSON.parse(started) as Record<string, unknown>;
    const next = (key: string): Date => {
      assert.equal(typeof line[key], 'string', `${key} in ${started}`);
      const at = new Date(line[key] as string);
      assert.ok(at.getTime() > Date.now() - 60_000 && at.getTime() < Date.now() + 8 * 86_400_000, `${key}: ${String(line[key])}`);
      return at;
    };
    const summary = next('next_summary');
    assert.deepEqual([summary.getDay(), summary.getHours(), summary.getMinutes()], [1, 8, 0]);
    const send = next('next_send_reports');
    assert.deepEqual([send.getHours(), send.getMinutes()], [0, 15]);
    assert.equal(line['next_poll'], undefined, 'no [imap]: no poll');
    const check = next('next_db_check');
    assert.deepEqual([check.getHours(), check.getMinutes()], [3, 45]);
    // The quick check of the database at start, one JSON line before the start line.
    const dbCheck = JSON.parse(stderr.split('\n').find((l) => l.includes('"event":"db check"')) ?? '{}') as Record<string, unknown>;
    assert.deepEqual(
      { level: dbCheck['level'], reason: dbCheck['reason'], check: dbCheck['check'], ok: dbCheck['ok'], problems: dbCheck['problems'] },
      { level: 'info', reason: 'start', check: 'quick_check', ok: true, problems: 0 },
      stderr,
    );
    assert.match(stderr, /daemon stopped/);
  });

  it('refuses to start on a damaged database: the db check line, then one line saying what to do (exit 6)', async () => {
    const db = join(dir, 'damaged.sqlite');
    const filled = await ruaflow(['ingest', fileURLToPath(new URL('../../reports/inbox/', import.meta.url)), fileURLToPath(new URL('../fixtures/samples/aggregate/parsedmarc/', import.meta.url)), '--db', db, '--quiet']);
    assert.ok(filled.code === 0 || filled.code === 3, filled.stderr);
    // 64 bytes of junk inside each page of the records table but its root: the file opens, the
    // quick check finds the damage.
    const sqlite = new BetterSqlite3(db, { readonly: true });
    const pages = sqlite
      .prepare<[], { pageno: number }>("SELECT pageno FROM dbstat WHERE name = 'records' AND pageno <> (SELECT rootpage FROM sqlite_schema WHERE name = 'records')")
      .all()
      .map((r) => r.pageno);
    sqlite.close();
    assert.ok(pages.length > 0);
    const bytes = readFileSync(db);
    const pageSize = bytes.readUInt16BE(16);
    for (const page of pages) for (let i = 0; i < 64; i++) bytes[(page - 1) * pageSize + 200 + i] = (i * 131 + page) & 0xff;
    writeFileSync(db, bytes);
    const cfg = join(dir, 'damaged.toml');
    writeFileSync(cfg, `[database]\npath = "${db}"\n[smtp]\nhost = "127.0.0.1"\nport = 2525\nfrom = "dmarc@example.com"\n[summary]\nto = ["postmaster@example.com"]\n`);
    const r = await ruaflow(['daemon', '--config', cfg], { cwd: dir });
    assert.equal(r.code, 6, r.stderr);
    const lines = r.stderr.trim().split('\n');
    const check = JSON.parse(lines.find((l) => l.includes('"event":"db check"')) ?? '{}') as Record<string, unknown>;
    assert.equal(check['level'], 'error');
    assert.equal(check['ok'], false);
    assert.ok((check['problems'] as number) > 0);
    assert.match(lines.at(-1) ?? '', /^ruaflow: .*damaged\.sqlite: the database file is damaged \(quick_check: .*\); restore it from a backup/);
    assert.doesNotMatch(r.stderr, /daemon started/);
  });

  it('refuses a configuration with nothing to schedule, in one line (exit 2)', async () => {
    const cfg = join(dir, 'empty.toml');
    writeFileSync(cfg, `[database]\npath = "empty.sqlite"\n`);
    const r = await ruaflow(['daemon', '--config', cfg], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr.trim(), /^ruaflow: daemon: nothing to schedule in .*empty\.toml: set \[imap\]/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });
});

describe('ruaflow daemon: the summary job at SIGTERM', () => {
  // Every second, so that a run starts right after start-up; send_empty, so that the empty
  // database still makes two messages: both domains to [summary] to, example.org to its summary_to.
  const every = '* * * * * *';
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  before(async () => {
    // _dmarc.example.org never answers: the summary is being built for timeout_ms (2 s).
    dns = await startDnsServer({ '_dmarc.example.org': { silent: true } });
  });
  after(() => dns.stop());

  const configFor = (name: string, smtp: SmtpTestServer, schedule: string): string => {
    const cfg = join(dir, `${name}.toml`);
    writeFileSync(
      cfg,
      `[database]\npath = "${join(dir, `${name}.sqlite`)}"\n[dns]\nservers = ["${dns.server}"]\ntimeout_ms = 2000\n` +
        `[smtp]\nhost = "127.0.0.1"\nport = ${smtp.port}\nsecure = false\nfrom = "dmarc@example.com"\n` +
        `[summary]\nto = ["postmaster@example.com"]\nsend_empty = true\n[schedule]\nsummary = "${schedule}"\n` +
        `[[domains]]\nname = "example.net"\n[[domains]]\nname = "example.org"\nsummary_to = ["web@example.org"]\n`,
    );
    return cfg;
  };

  it('lets a summary being built finish and mail it to every recipient before exiting', async () => {
    const smtp = await startSmtpServer();
    try {
      const daemon = startDaemon(configFor('building', smtp, every));
      const asked = () => dns.queries.some((q) => q.name === '_dmarc.example.org');
      await waitFor(asked, 20_000, daemon.stderr);
      daemon.kill();
      assert.equal(await daemon.exited, 0, daemon.stderr());
      // Built after the signal (the database still open), then mailed: both messages, once.
      assert.deepEqual(smtp.messages.map((m) => m.to).sort(), [['postmaster@example.com'], ['web@example.org']]);
      const log = events(daemon.stderr());
      assert.doesNotMatch(daemon.stderr(), /summary failed|not open/);
      assert.deepEqual(log.filter((e) => e === 'summary' || e === 'stopping' || e === 'daemon stopped'), ['stopping', 'summary', 'summary', 'daemon stopped']);
    } finally {
      await smtp.stop();
    }
  });

  it('lets a summary being sent reach every recipient, and a restart does not send it again', async () => {
    // The first message waits for its 250 until the test says so.
    const { smtp, held, release } = await startHoldingSmtpServer();
    try {
      const daemon = startDaemon(configFor('sending', smtp, every));
      await waitFor(held, 20_000, daemon.stderr);
      daemon.kill();
      await new Promise((r) => setTimeout(r, 500));
      assert.match(daemon.stderr(), /stopping/);
      assert.doesNotMatch(daemon.stderr(), /daemon stopped/, 'waits for the summary in flight');
      release();
      assert.equal(await daemon.exited, 0, daemon.stderr());
      assert.deepEqual(smtp.messages.map((m) => m.to).sort(), [['postmaster@example.com'], ['web@example.org']]);
      const log = events(daemon.stderr());
      assert.deepEqual(log.slice(log.indexOf('stopping')), ['stopping', 'summary', 'summary', 'daemon stopped']);
      // The ticks that came while the summary was held were skipped, and node-cron's notice of
      // that is one of our JSON lines like every other line.
      const lines = daemon.stderr().trim().split('\n');
      assert.ok(lines.every((l) => l.startsWith('{')), daemon.stderr());
      assert.match(daemon.stderr(), /"level":"warn","event":"schedule","message":"[^"]*overlap/);

      // Started again (on a schedule that does not fire during the test): nothing is mailed at start.
      const again = startDaemon(configFor('sending', smtp, '0 8 1 1 *'));
      await waitFor(() => again.stderr().includes('daemon started'), 20_000, again.stderr);
      await new Promise((r) => setTimeout(r, 1500));
      again.kill();
      assert.equal(await again.exited, 0, again.stderr());
      assert.equal(smtp.messages.length, 2);
    } finally {
      release();
      await smtp.stop();
    }
  });
});

interface Daemon {
  readonly exited: Promise<number | null>;
  stderr(): string;
  kill(): void;
}

function startDaemon(cfg: string): Daemon {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'daemon', '--config', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { exited, stderr: () => stderr, kill: () => child.kill('SIGTERM') };
}

/** The `event` of each JSON log line, in order. */
const events = (stderr: string): string[] =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => String((JSON.parse(l) as { event?: unknown }).event));

async function waitFor(condition: () => boolean, ms: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out; daemon said:\n${stderr()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
