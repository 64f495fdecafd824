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
import { assertExampleComSources, CORRELATION_CONFIG, CORRELATION_REPORTS, startSourcesDns, type SourcesJson } from '../helpers/sources-setup.js';

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
    assertExampleComSources(json);
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
