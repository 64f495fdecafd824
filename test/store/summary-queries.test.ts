/** The summary's hot read stays on its covering index (schema/sql/005_summary_index.sql, 006_source_ids.sql). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openDatabase } from '../../src/store/database.js';
import { RECORDS_OF_REPORT } from '../../src/store/summary-queries.js';

describe('summary queries', () => {
  it("read a report's records from the covering index alone, FLAG bits included", () => {
    const db = openDatabase(':memory:');
    try {
      const plan = db
        .prepare(`EXPLAIN QUERY PLAN ${RECORDS_OF_REPORT}`)
        .all(1) as { detail: string }[];
      assert.deepEqual(plan.map((p) => p.detail), ['SEARCH records USING COVERING INDEX records_summary (report_id=?)']);
    } finally {
      db.close();
    }
  });
});
