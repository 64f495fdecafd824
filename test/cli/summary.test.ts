/**
 * `ruaflow summary` as a user runs it: the fixture reports ingested by the real CLI into a real
 * SQLite file and summarised by the real CLI; what only the command line does (--format, --out,
 * usage errors). The numbers, DNS names and formats are tested on the jobs in
 * test/jobs/summary.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ruaflow } from '../helpers/cli.js';
import type { DnsServer } from '../helpers/dns-server.js';
import { startSmtpServer } from '../helpers/smtp-server.js';
import { startSummaryDns, summaryToml } from '../helpers/summary-dns.js';
import { ingestFixtures, summaryFolder } from '../helpers/summary-folder.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/summary/', import.meta.url));
const { dir, db, config } = summaryFolder('ruaflow-summary-');
const WEEK = '2026-11-23..2026-11-29';
let dns: DnsServer;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function summary(args: readonly string[]): Promise<Json> {
  const r = await ruaflow(['summary', '--db', db, '--config', config, '--format', 'json', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

before(async () => {
  dns = await startSummaryDns();
  const ingest = await ingestFixtures({ db, config }, FIXTURES, summaryToml(dns.server));
  assert.equal(JSON.parse(ingest.stdout).new, 7);
});
after(async () => {
  await dns.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('ruaflow summary end to end', () => {
  it('--format json: the week by hand, as the job computes it', async () => {
    const out = await summary(['--period', WEEK, '--offline']);
    assert.deepEqual(out.period, { begin: 1795392000, end: 1795996799, label: WEEK });
    assert.deepEqual(out.domains.map((d: Json) => [d.domain, d.messages]), [['example.com', 224], ['example.org', 3]]);
  });

  it('--out writes the file and prints nothing', async () => {
    const file = join(dir, 'summary.html');
    const html = await ruaflow(['summary', '--db', db, '--config', config, '--period', WEEK, '--offline', '--format', 'html', '--out', file]);
    assert.equal(html.code, 0, html.stderr);
    assert.equal(html.stdout, '');
    const page = readFileSync(file, 'utf8');
    assert.match(page, /^<!DOCTYPE html>/);
    assert.match(page, />224</);
  });

  it('--out FILE without --format writes the format its name says (.html, .md, .json, .csv, .txt)', async () => {
    for (const [name, start] of [['s.html', /^<!DOCTYPE html>/], ['s.md', /^# /], ['s.json', /^\{"period":/], ['s.csv', /^[a-z_]+,/], ['s.txt', /^[^<{#]/]] as const) {
      const file = join(dir, name);
      const r = await ruaflow(['summary', '--db', db, '--config', config, '--period', WEEK, '--offline', '--out', file]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(readFileSync(file, 'utf8'), start, name);
    }
  });

  it('--send --out FILE mails the summary and writes FILE in the format its name (or --format) says', async () => {
    const smtp = await startSmtpServer();
    try {
      const mailing = join(dir, 'mailing.toml');
      writeFileSync(mailing, `${readFileSync(config, 'utf8')}\n[smtp]\nhost = "127.0.0.1"\nport = ${smtp.port}\nsecure = false\nfrom = "dmarc@example.com"\n\n[summary]\nto = ["postmaster@example.com"]\n`);
      const file = join(dir, 'summary-email.html');
      const r = await ruaflow(['summary', '--db', db, '--config', mailing, '--period', WEEK, '--offline', '--send', '--out', file]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^summary sent to=postmaster@example\.com/);
      assert.equal(smtp.messages.length, 1);
      assert.match(readFileSync(file, 'utf8'), /^<!DOCTYPE html>/, 'the HTML rendering, not the text');
      const m = await ruaflow(['summary', '--db', db, '--config', mailing, '--period', WEEK, '--offline', '--send', '--format', 'markdown', '--out', join(dir, 'summary-email.md')]);
      assert.equal(m.code, 0, m.stderr);
      assert.match(readFileSync(join(dir, 'summary-email.md'), 'utf8'), /^# /);
    } finally {
      await smtp.stop();
    }
  });

  it('contradicting or ignored options are usage errors naming both, exit 2, before anything is built', async () => {
    const cases: [string[], string][] = [
      [['--json', '--format', 'csv'], 'summary: --json and --format csv contradict each other (--json is --format json); give one'],
      [['--format', 'text', '--out', join(dir, 'x.html')], `summary: --format text and --out ${join(dir, 'x.html')} contradict each other (the name says html); rename the file or drop --format`],
      [['--json', '--out', join(dir, 'x.csv')], `summary: --json and --out ${join(dir, 'x.csv')} contradict each other (the name says csv); rename the file or drop --json`],
      [['--send', '--format', 'html'], 'summary: --format html has no effect with --send (the e-mail has its own text and HTML parts); add --out FILE to keep a copy in that format'],
      [['--send', '--json'], 'summary: --json has no effect with --send (the e-mail has its own text and HTML parts); add --out FILE to keep a copy in that format'],
    ];
    for (const [args, message] of cases) {
      const r = await ruaflow(['summary', '--db', db, '--config', config, '--period', WEEK, '--offline', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, `ruaflow: ${message}\n`);
      assert.equal(r.stdout, '');
    }
  });

  it('usage and configuration errors exit 2 with one line', async () => {
    const cases: [string[], RegExp][] = [
      [['--format', 'pdf'], /^ruaflow: summary --format pdf: expected one of text, markdown, html, json, csv\n$/],
      [['--period', 'fortnight'], /^ruaflow: --period "fortnight": unknown period; expected last-week, 7d, 30d/],
      [['--send'], /^ruaflow: summary --send: no \[smtp\] configured/],
    ];
    for (const [args, want] of cases) {
      const r = await ruaflow(['summary', '--db', db, '--config', config, '--offline', ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, want);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  });
});
