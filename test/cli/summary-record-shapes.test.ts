/**
 * Issue 12 #1: records without policy_evaluated (or without its dkim / spf) are stored with NULL
 * alignment, and every reader must take them: `summary` in each format and `sources`, through
 * the real CLI over a real SQLite file. Before the fix `summary` died with "unexpected error:
 * summary: source id 0 has no address".
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ruaflow } from '../helpers/cli.js';
import { ingestFixtures, summaryFolder } from '../helpers/summary-folder.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/summary-no-evaluation/', import.meta.url));
const { dir, db, config } = summaryFolder('ruaflow-shapes-');
const WEEK = '2026-11-23..2026-11-29';

before(async () => {
  const ingest = await ingestFixtures({ db, config }, FIXTURES);
  assert.equal(JSON.parse(ingest.stdout).new, 1);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('records without policy_evaluated', () => {
  it('summary --format json counts them, as not passing DMARC unless an alignment says pass', async () => {
    const r = await ruaflow(['summary', '--db', db, '--config', config, '--offline', '--period', WEEK, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const com = JSON.parse(r.stdout).domains[0];
    // 12 (no policy_evaluated) + 3 (spf fail, no dkim) + 5 (spf pass, no dkim)
    assert.equal(com.messages, 20);
    assert.equal(com.dmarc_pass, 5);
    assert.equal(com.spf_aligned_pass, 5);
    assert.equal(com.dkim_aligned_pass, 0);
    assert.deepEqual(
      com.sources.map((s: { ip: string; messages: number }) => [s.ip, s.messages]),
      [['192.0.2.10', 12], ['203.0.113.7', 5], ['198.51.100.9', 3]],
    );
  });

  for (const format of ['text', 'markdown', 'html', 'csv']) {
    it(`summary --format ${format} renders them`, async () => {
      const r = await ruaflow(['summary', '--db', db, '--config', config, '--offline', '--period', WEEK, '--format', format]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /192\.0\.2\.10|example\.com/);
    });
  }

  it('sources lists them', async () => {
    const r = await ruaflow(['sources', '--db', db, '--config', config, '--offline', '--json', '--domain', 'example.com']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const ips = (out.sources as { ip: string }[]).map((s) => s.ip).sort();
    assert.deepEqual(ips, ['192.0.2.10', '198.51.100.9', '203.0.113.7']);
  });
});
