/**
 * `ruaflow daemon` without a rua mailbox: an MX host that only sends reports and summaries runs
 * the daemon for those jobs; a configuration with nothing to schedule is a one-line error.
 * (Polling under the daemon is tested against Dovecot in test/jobs/poll-dovecot.test.ts.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ruaflow } from '../helpers/cli.js';

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
    assert.match(stderr, /daemon stopped/);
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
