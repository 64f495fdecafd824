/** `ruaflow sources` as a user runs it: the real CLI, real SQLite files, PTR names from a loopback
 * DNS server; --json and text output and the usage errors. The behaviour (classes, periods,
 * offline, names) is tested on the job in test/jobs/sources.test.ts. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ruaflow } from '../helpers/cli.js';
import type { DnsServer } from '../helpers/dns-server.js';
import { CORRELATION_CONFIG, CORRELATION_REPORTS, expectedClasses, startSourcesDns, type SourcesJson } from '../helpers/sources-setup.js';

describe('ruaflow sources', () => {
  let dns: DnsServer;
  let dir: string;
  let db: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    ({ dns, env } = await startSourcesDns());
    dir = mkdtempSync(join(tmpdir(), 'ruaflow-sources-'));
    db = join(dir, 'ruaflow.sqlite');
    const ingest = await ruaflow(['ingest', ...CORRELATION_REPORTS, '--db', db, '--json'], { cwd: dir });
    assert.equal(ingest.code, 0, ingest.stderr);
  });
  after(async () => {
    await dns.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--json: sources of one domain with class, volume, names and fix, largest first', async () => {
    const out = await ruaflow(['sources', '--domain', 'example.com', '--json', '--config', CORRELATION_CONFIG, '--db', db], { cwd: dir, env });
    assert.equal(out.code, 0, out.stderr);
    const json = JSON.parse(out.stdout) as SourcesJson;
    assert.equal(json.domain, 'example.com');
    assert.deepEqual(json.period, { label: 'all', begin: Date.UTC(2026, 10, 16) / 1000, end: Date.UTC(2026, 10, 17, 23, 59, 59) / 1000 });
    assert.deepEqual(json.classes, expectedClasses('example.com'));
    assert.equal(json.messages, json.sources.reduce((s, x) => s + x.messages, 0));
    const volumes = json.sources.map((s) => s.messages);
    assert.deepEqual(volumes, [...volumes].sort((a, b) => b - a));
    const sendgrid = json.sources.find((s) => s.ip === '203.0.113.50');
    assert.deepEqual(
      sendgrid && [sendgrid.class, sendgrid.service, sendgrid.name, sendgrid.dmarc_pass, sendgrid.dmarc_fail, sendgrid.reporters],
      ['service-pass', 'SendGrid', 'o1.ptr1234.sendgrid.net', 150, 0, 1],
    );
    const relay = json.sources.find((s) => s.ip === '192.0.2.10' && s.class === 'ours-pass');
    assert.equal(relay?.name, 'mail.example.com');
    assert.equal(relay?.messages, 580, 'example.com and news.example.com mail of the relay');
    const mismatch = json.sources.find((s) => s.cause === 'key-mismatch');
    assert.match(mismatch?.fix ?? '', /ruaflow check/);
    for (const s of json.sources) assert.equal(s.dmarc_pass + s.dmarc_fail, s.messages);
  });

  it('without --domain: an array of every configured domain; text fits 100 columns', async () => {
    const all = await ruaflow(['sources', '--json', '--config', CORRELATION_CONFIG, '--db', db], { cwd: dir, env });
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual((JSON.parse(all.stdout) as SourcesJson[]).map((d) => d.domain), ['example.com', 'shop.example.com', 'example.org']);
    const text = await ruaflow(['sources', '--config', CORRELATION_CONFIG, '--db', db, '--period', '2026-11-17..2026-11-17'], { cwd: dir, env });
    assert.equal(text.code, 0, text.stderr);
    for (const line of text.stdout.split('\n')) assert.ok(line.length <= 100, `${line.length}: ${line}`);
    assert.match(text.stdout, /^example\.com: 2026-11-17 \.\. 2026-11-17$/m);
  });

  it('usage and configuration errors: one line, exit 2', async () => {
    const empty = join(dir, 'empty.toml');
    writeFileSync(empty, '[database]\npath = "x.sqlite"\n');
    const cases: [string[], RegExp][] = [
      [['sources', '--config', empty, '--db', db], /no \[\[domains\]\] in .*empty\.toml: add one table per domain you own, e\.g\. \[\[domains\]\] name = "example\.com"/],
      [['sources', '--domain', 'example.net', '--config', CORRELATION_CONFIG, '--db', db], /--domain example\.net: not one of the \[\[domains\]\] .* \(example\.com, shop\.example\.com, example\.org\)/],
      [['sources', '--period', 'fortnight', '--config', CORRELATION_CONFIG, '--db', db], /--period "fortnight": unknown period; expected last-week/],
      [['sources', 'extra', '--config', CORRELATION_CONFIG, '--db', db], /unexpected argument "extra"/],
    ];
    for (const [args, message] of cases) {
      const out = await ruaflow(args, { cwd: dir, env });
      assert.equal(out.code, 2, `${args.join(' ')}: ${out.stderr}`);
      assert.match(out.stderr, message);
      assert.equal(out.stderr.trim().split('\n').length, 1, out.stderr);
    }
  });
});
