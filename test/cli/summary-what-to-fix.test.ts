/**
 * Issue 12 #17: our own sources with broken DKIM or SPF (ours-dkim-fail, ours-spf-fail,
 * service-fail) come first in the summary's "what to fix", with the fix sentence `sources`
 * gives, even when DMARC still passes by the other mechanism. Real CLI, real SQLite file.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ruaflow } from '../helpers/cli.js';
import { ingestFixtures, offlineSummary, summaryFolder } from '../helpers/summary-folder.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/summary-own-problems/', import.meta.url));
const { dir, db, config } = summaryFolder('ruaflow-to-fix-');
const WEEK = '2026-11-23..2026-11-29';
let fix = '';

const summary = (format: string) => offlineSummary({ db, config }, ['--period', WEEK, '--format', format]);

before(async () => {
  await ingestFixtures({ db, config }, FIXTURES);
  const sources = await ruaflow(['sources', '--db', db, '--config', config, '--offline', '--json', '--domain', 'example.com']);
  const relay = (JSON.parse(sources.stdout).sources as { ip: string; class: string; fix: string }[]).find((s) => s.ip === '192.0.2.10');
  assert.equal(relay?.class, 'ours-dkim-fail');
  fix = relay.fix;
  assert.ok(fix.length > 0);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('what to fix starts with our own broken sources', () => {
  it('text: the relay first, with its class and fix, then the failing forger', async () => {
    const out = await summary('text');
    const section = out.slice(out.indexOf('  what to fix:'));
    assert.ok(out.includes('  what to fix:'), out);
    const relay = section.indexOf('192.0.2.10: 0 of 200 failing DMARC, class ours-dkim-fail');
    const forger = section.indexOf('198.51.100.5: 3 of 3 failing DMARC, class spoof');
    assert.ok(relay > 0 && forger > relay, section);
    assert.ok(section.includes(`      fix: ${fix}`), section);
  });

  it('markdown: the relay heads the table, with its fix', async () => {
    const out = await summary('markdown');
    const section = out.slice(out.indexOf('### What to fix'));
    assert.ok(out.includes('### What to fix'), out);
    const rows = section.split('\n').filter((l) => l.startsWith('| 19'));
    assert.match(rows[0] ?? '', /^\| 192\.0\.2\.10 \|.*\| 0 of 200 \| ours-dkim-fail \|/);
    assert.match(rows[1] ?? '', /^\| 198\.51\.100\.5 \|/);
  });

  it('HTML: the relay heads the list, and the subject counts it as a problem', async () => {
    const out = await summary('html');
    const section = out.slice(out.indexOf('What to fix'));
    assert.ok(out.includes('What to fix'), 'section heading');
    assert.ok(section.indexOf('192.0.2.10') < section.indexOf('198.51.100.5'));
    assert.ok(section.includes('ours-dkim-fail'));
    assert.match(out, /<title>[^<]*· 1 problem<\/title>/);
  });
});
