/**
 * `ruaflow send-reports` as a user runs it: the real CLI in a child process, a real SMTP server,
 * a real DNS server and a real SQLite file. Includes the crash test: the process is killed with
 * SIGKILL after the relay has the message but before the CLI heard the 250 and committed — the
 * next run sends the same report again, with the same Report-ID and file name.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { dayPeriod } from '../../src/report/period.js';
import { openDatabase } from '../../src/store/database.js';
import { ruaflow } from '../helpers/cli.js';
import { outboundFolder, startOutboundSetup, type OutboundRoot } from '../helpers/outbound-setup.js';
import { withSmtpServer } from '../helpers/smtp-server.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
// The CLI reads the system clock: report on the day before today (UTC).
const YESTERDAY = dayPeriod(Math.floor(Date.now() / 1000) - 86_400);

let outbound: OutboundRoot;
before(async () => {
  outbound = await startOutboundSetup('ruaflow-send-cli-', YESTERDAY.begin);
});
after(() => outbound.stop());

/** A folder with ruaflow.toml and a database holding yesterday's evaluations. */
const setup = (smtpPort: number, domains: { name: string; rua?: string; count?: number }[], extra = ''): string =>
  outboundFolder(outbound, smtpPort, domains, extra);

const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;

describe('ruaflow send-reports', () => {
  it('--dry-run writes the reports into --out and sends nothing', async () => {
    await withSmtpServer({}, async (smtp) => {
      const dir = setup(smtp.port, [{ name: 'a.example' }, { name: 'b.example', count: 3 }]);
      const r = await ruaflow(['send-reports', '--period', YESTERDAY.label, '--dry-run', '--out', 'preview', '--json', '--quiet'], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      const out = json(r.stdout);
      assert.equal(out['dry_run'], true);
      assert.equal(out['built'], 2);
      assert.equal(out['deliveries'], null);
      // --out relative to the working directory; what the files hold: test/jobs/send-reports.test.ts.
      const files = readdirSync(join(dir, 'preview')).sort();
      assert.deepEqual(files, out['reports'].map((x: { filename: string }) => x.filename).sort());
      assert.equal(smtp.messages.length, 0);
    });
  });

  it('--dry-run marks the destinations the real send would refuse, with the same checks and reasons', async () => {
    await withSmtpServer({}, async (smtp) => {
      const dir = setup(smtp.port, [
        { name: 'a.example' },
        // An external destination whose host publishes no authorisation (RFC 9990 §3): refused.
        { name: 'c.example', rua: 'mailto:agg@reports.elsewhere.example' },
        { name: 'd.example', rua: 'mailto:gone@d.example' },
      ]);
      const db = openDatabase(join(dir, 'db.sqlite'));
      const now = Math.floor(Date.now() / 1000);
      db.prepare('INSERT INTO outbound_suppressions (address, reason, code, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run('gone@d.example', '550 no such user', 550, now, now + 86_400);
      db.close();

      const dry = await ruaflow(['send-reports', '--period', YESTERDAY.label, '--dry-run', '--json', '--quiet'], { cwd: dir });
      assert.equal(dry.code, 0, dry.stderr);
      const refused = Object.fromEntries(json(dry.stdout)['reports'].map((x: { policy_domain: string; destinations: string[]; refused: unknown[] }) => [x.policy_domain, [x.destinations, x.refused]]));
      assert.deepEqual(refused['a.example'], [['rua@a.example'], []]);
      const [cDest, cRefused] = refused['c.example'] as [string[], { address: string; reason: string }[]];
      assert.deepEqual(cDest, ['agg@reports.elsewhere.example']);
      assert.equal(cRefused[0]?.address, 'agg@reports.elsewhere.example');
      assert.match(cRefused[0]?.reason ?? '', /reports\.elsewhere\.example does not accept reports for c\.example \(no v=DMARC1 record at c\.example\._report\._dmarc\.reports\.elsewhere\.example\)/);
      const [, dRefused] = refused['d.example'] as [string[], { address: string; reason: string }[]];
      assert.match(dRefused[0]?.reason ?? '', /^suppressed until .*: 550 no such user$/);

      const text = await ruaflow(['send-reports', '--period', YESTERDAY.label, '--dry-run', '--quiet'], { cwd: dir });
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /\n  c\.example → agg@reports\.elsewhere\.example: REFUSED, reports\.elsewhere\.example does not accept reports/);
      assert.match(text.stdout, /\n  d\.example → gone@d\.example: REFUSED, suppressed until /);
      assert.match(text.stdout, /\n  a\.example → rua@a\.example\n/);

      // The real send refuses the same two.
      const real = await ruaflow(['send-reports', '--period', YESTERDAY.label, '--json', '--quiet'], { cwd: dir });
      const d = json(real.stdout)['deliveries'];
      assert.deepEqual([d.sent, d.unauthorized, d.suppressed], [1, 1, 1]);
      assert.deepEqual(smtp.messages.map((m) => m.to[0]), ['rua@a.example']);
    });
  });

  it('sends, prints the --json summary, archives; a second run sends nothing', async () => {
    await withSmtpServer({}, async (smtp) => {
      const dir = setup(smtp.port, [{ name: 'a.example' }, { name: 'b.example', rua: 'mailto:x@b.example, https://b.example/r' }]);
      const first = await ruaflow(['send-reports', '--period', YESTERDAY.label, '--json'], { cwd: dir });
      assert.equal(first.code, 0, first.stderr);
      const out = json(first.stdout);
      assert.equal(out['period'], YESTERDAY.label);
      assert.deepEqual([out['begin'], out['end']], [YESTERDAY.begin, YESTERDAY.end - 1]);
      assert.equal(out['built'], 2);
      assert.deepEqual(out['deliveries'], { sent: 2, deferred: 0, rejected: 0, suppressed: 0, unauthorized: 0, too_big: 0, expired: 0, left_for_next_run: 0 });
      assert.deepEqual(out['ignored_uris'], [{ policy_domain: 'b.example', uri: 'https://b.example/r', reason: 'https: URIs are not supported (mailto only)' }]);
      assert.deepEqual(smtp.messages.map((m) => m.to[0]).sort(), ['rua@a.example', 'x@b.example']);
      assert.deepEqual(readdirSync(join(dir, 'reports', 'outbound')).sort(), out['reports'].map((x: { filename: string }) => x.filename).sort());

      const second = await ruaflow(['send-reports', '--period', YESTERDAY.label, '--json'], { cwd: dir });
      assert.equal(second.code, 0, second.stderr);
      assert.equal(json(second.stdout)['already_built'], 2);
      assert.equal(json(second.stdout)['deliveries']['sent'], 0);
      assert.equal(smtp.messages.length, 2);

      const text = await ruaflow(['send-reports', '--period', YESTERDAY.label], { cwd: dir });
      assert.match(text.stdout, new RegExp(`^${YESTERDAY.label}: 4 evaluations; 0 reports built, 0 skipped, 2 built before, 0 without rua\\n`));
    });
  });

  it('a crash between the relay accepting and the commit resends with the same Report-ID and file name', async () => {
    let child: ReturnType<typeof spawn> | null = null;
    let exited: Promise<unknown> = Promise.resolve();
    await withSmtpServer(
      {
        onData: async (attempt) => {
          // First message: kill the CLI before it can hear the 250, then accept (the relay has it).
          if (attempt === 1 && child !== null) {
            child.kill('SIGKILL');
            await exited;
          }
          return undefined;
        },
      },
      async (smtp) => {
        const dir = setup(smtp.port, [{ name: 'a.example' }]);
        child = spawn(process.execPath, ['--import', TSX, MAIN, 'send-reports', '--period', YESTERDAY.label, '--quiet'], { cwd: dir, stdio: 'ignore' });
        exited = new Promise((resolve) => child!.once('exit', (code, signal) => resolve({ code, signal })));
        assert.deepEqual(await exited, { code: null, signal: 'SIGKILL' });
        // The server stores the message right after the kill (same event-loop turn or the next).
        for (let i = 0; i < 100 && smtp.messages.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
        assert.equal(smtp.messages.length, 1, 'the relay has the first copy');

        const db = openDatabase(join(dir, 'db.sqlite'));
        const state = () => db.prepare('SELECT state, attempts FROM outbound_deliveries').get();
        assert.deepEqual(state(), { state: 'pending', attempts: 0 }, 'the send was never committed');

        const rerun = await ruaflow(['send-reports', '--period', YESTERDAY.label, '--json'], { cwd: dir });
        assert.equal(rerun.code, 0, rerun.stderr);
        assert.equal(json(rerun.stdout)['deliveries']['sent'], 1);
        assert.deepEqual(state(), { state: 'sent', attempts: 1 });
        db.close();

        assert.equal(smtp.messages.length, 2);
        const [a, b] = await Promise.all(smtp.messages.map((m) => simpleParser(m.raw)));
        assert.equal(a?.subject, b?.subject);
        assert.match(a?.subject ?? '', /^Report Domain: a\.example Submitter: receiver\.example Report-ID: <\d{8}[0-9a-f]{16}>$/);
        assert.equal(a?.attachments[0]?.filename, b?.attachments[0]?.filename);
        assert.equal(a?.messageId, b?.messageId);
        assert.deepEqual(a?.attachments[0]?.content, b?.attachments[0]?.content, 'the very same report bytes');
      },
    );
  });

  it('a 5xx exits 3 (recorded and suppressed: test/jobs/send-reports.test.ts)', async () => {
    await withSmtpServer({ onRcpt: () => 550 }, async (smtp) => {
      const dir = setup(smtp.port, [{ name: 'a.example' }]);
      const r = await ruaflow(['send-reports', '--period', YESTERDAY.label, '--json', '--quiet'], { cwd: dir });
      assert.equal(r.code, 3, r.stderr);
      assert.equal(json(r.stdout)['deliveries']['rejected'], 1);
    });
  });

  it('an unreachable relay fails the run (exit 1) and keeps the report for the next one', async () => {
    const dir = setup(1, [{ name: 'a.example' }]);
    const r = await ruaflow(['send-reports', '--period', YESTERDAY.label, '--json'], { cwd: dir });
    assert.equal(r.code, 1);
    assert.equal(json(r.stdout)['deliveries']['deferred'], 1);
    assert.match(r.stderr, /relay unreachable/);
  });

  it('says what is wrong on bad usage or missing configuration, in one line (exit 2)', async () => {
    const dir = setup(1, []);
    const today = new Date().toISOString().slice(0, 10);
    for (const [args, pattern] of [
      [['--period', 'last-week'], /--period: expected "yesterday" or a day that has ended, as YYYY-MM-DD \(got "last-week"\)/],
      [['--period', today], /a day that has ended/],
      [['--out', 'x'], /--out goes with --dry-run/],
    ] as const) {
      const r = await ruaflow(['send-reports', ...args], { cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
    writeFileSync(join(dir, 'ruaflow.toml'), '[database]\npath = "db.sqlite"\n');
    const r = await ruaflow(['send-reports', '--dry-run'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\[reporter\] org_name, email and domain are required/);
  });
});
