/**
 * Golden pairs (STYLE.md 11): every sample in test/fixtures/samples through the real ingest path
 * (sniff, MIME, gzip/zip, parse, SQLite) compared with its hand-reviewed expectation in
 * test/fixtures/golden/. UPDATE_GOLDEN=1 rewrites the expectations.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { ingestInput } from '../../src/jobs/ingest-input.js';
import { openDatabase } from '../../src/store/database.js';
import { InputLedger } from '../../src/store/inputs.js';
import { ReportStore } from '../../src/store/reports.js';
import { reportsView } from '../helpers/db-view.js';

const SAMPLES = fileURLToPath(new URL('../fixtures/samples/aggregate/', import.meta.url));
const GOLDEN = fileURLToPath(new URL('../fixtures/golden/', import.meta.url));
const update = process.env['UPDATE_GOLDEN'] === '1';

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : [path];
    });
}

const samples = files(SAMPLES);

describe('golden samples', () => {
  it('has the 42 samples of SOURCES.md', () => {
    assert.equal(samples.length, 42);
  });

  for (const path of samples) {
    const name = relative(SAMPLES, path);
    it(name, async () => {
      const db = openDatabase(':memory:');
      const stores = { reports: new ReportStore(db), ledger: new InputLedger(db), limits: DEFAULT_LIMITS, clock: { now: () => 1_800_000_000 } };
      const result = await ingestInput({ source: 'file', key: path, label: name }, readFileSync(path), stores);
      const actual = {
        outcome: result.outcome,
        reason: result.reason,
        reports_new: result.reportsNew,
        rejections: result.rejections,
        reports: reportsView(db),
      };
      db.close();
      const goldenPath = join(GOLDEN, `${name}.json`);
      if (update || !existsSync(goldenPath)) {
        if (!update) assert.fail(`no golden file for ${name}; run UPDATE_GOLDEN=1 npm test and review it`);
        mkdirSync(dirname(goldenPath), { recursive: true });
        writeFileSync(goldenPath, `${JSON.stringify(actual, null, 2)}\n`);
        return;
      }
      assert.deepEqual(actual, JSON.parse(readFileSync(goldenPath, 'utf8')));
    });
  }
});
