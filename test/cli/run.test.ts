/**
 * `ruaflow run` (`npm start`): the demo only when nothing is configured; with a configuration the
 * configured job — poll the rua mailbox (against a real Dovecot), then the overview per domain —
 * and never the demo reports in a user's database. Real SQLite files in temp folders.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ruaflow } from '../helpers/cli.js';

const DEMO = fileURLToPath(new URL('../../reports/inbox/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ruaflow-run-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('ruaflow run --json', () => {
  it('is snake_case like every other JSON output: dmarc_pass, top_sources', async () => {
    const r = await ruaflow(['run', '--inbox', DEMO, '--db', join(dir, 'json.sqlite'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { ingest: Record<string, unknown>; domains: Record<string, unknown>[] };
    assert.ok(out.domains.length > 0);
    for (const d of out.domains) {
      assert.deepEqual(Object.keys(d), ['domain', 'reports', 'reporters', 'begin', 'end', 'messages', 'dmarc_pass', 'top_sources']);
      for (const s of d['top_sources'] as Record<string, unknown>[]) assert.deepEqual(Object.keys(s), ['ip', 'messages', 'dmarc_pass']);
    }
    assert.deepEqual(Object.keys(out.ingest), ['new', 'duplicate', 'invalid', 'not_aggregate', 'inputs', 'invalid_inputs']);
  });
});
