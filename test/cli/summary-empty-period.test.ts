/**
 * Issue 12 #15: a summary of a period with no reports says when the latest report ends and which
 * period to ask for (text, markdown, HTML; `latest_report_end` in JSON), and `--period all`
 * summarises everything stored, with no previous period to compare. The summary fixtures
 * (test/fixtures/summary/) end with Microsoft's report of 2026-11-28 .. 2026-11-30.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ruaflow } from '../helpers/cli.js';
import { ingestFixtures, offlineSummary, summaryFolder } from '../helpers/summary-folder.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/summary/', import.meta.url));
const { dir, db, config } = summaryFolder('ruaflow-empty-');
const EMPTY = '2026-12-14..2026-12-20';
/** Microsoft's three-day report ends 2026-11-30 23:59:59 UTC. */
const LATEST_END = 1796083199;
const HINT = 'The latest report ends 2026-11-30: try --period 2026-11-24..2026-11-30 or --period all.';

const summary = (args: readonly string[]) => offlineSummary({ db, config }, args);

before(async () => {
  await ingestFixtures({ db, config }, FIXTURES);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('summary of a period with no reports', () => {
  it('says when the latest report ends and the period to ask for, in text', async () => {
    const out = await summary(['--period', EMPTY]);
    assert.match(out, /No reports in 2026-12-14\.\.2026-12-20 \(2026-12-14 \.\. 2026-12-20 UTC\)\./);
    assert.ok(out.includes(HINT), out);
  });

  for (const format of ['markdown', 'html']) {
    it(`says it in ${format}`, async () => {
      const out = await summary(['--period', EMPTY, '--format', format]);
      assert.ok(out.includes(HINT), out);
    });
  }

  it('gives latest_report_end in JSON, and no hint when the period has reports', async () => {
    const empty = JSON.parse(await summary(['--period', EMPTY, '--format', 'json']));
    assert.equal(empty.latest_report_end, LATEST_END);
    const full = await summary(['--period', '2026-11-23..2026-11-29']);
    assert.ok(!full.includes('The latest report ends'), full);
    assert.equal(JSON.parse(await summary(['--period', '2026-11-23..2026-11-29', '--json'])).latest_report_end, LATEST_END);
  });

  it('--domain limits the latest report to that domain', async () => {
    const out = JSON.parse(await summary(['--period', EMPTY, '--json', '--domain', 'example.org']));
    // example.org's one report: 2026-11-24.
    assert.equal(out.latest_report_end, 1795564799);
  });
});

describe('summary --period all', () => {
  it('summarises everything stored, with no previous period', async () => {
    const reports = JSON.parse((await ruaflow(['reports', '--db', db, '--json'])).stdout) as { policy_domain: string; messages: number }[];
    const stored = reports.filter((r) => r.policy_domain === 'example.com').reduce((n, r) => n + r.messages, 0);
    const out = JSON.parse(await summary(['--period', 'all', '--json']));
    assert.equal(out.period.label, 'all');
    // From the first stored day (Yahoo, 2026-11-10) to the last (2026-11-30).
    assert.deepEqual([out.period.begin, out.period.end], [1794268800, LATEST_END]);
    assert.equal(out.previous_period, null);
    const com = out.domains.find((d: { domain: string }) => d.domain === 'example.com');
    assert.equal(com.messages, stored);
    assert.equal(com.previous, null);
    assert.deepEqual(com.silent_reporters, []);
  });

  it('says in text, markdown and HTML that there is nothing to compare with', async () => {
    for (const format of ['text', 'markdown', 'html']) {
      const out = await summary(['--period', 'all', '--format', format]);
      assert.match(out, /all stored reports, no previous period to compare with/, format);
      assert.doesNotMatch(out, /on the previous period|points\)/, format);
    }
  });
});
