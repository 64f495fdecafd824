/**
 * `ruaflow ingest` over real files into a real SQLite database: what reading input must not lose
 * (issue 12: concatenated gzip members, plain XML read as a stream).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_LIMITS, type Limits } from '../../src/limits.js';
import { ingestPaths } from '../../src/jobs/ingest-paths.js';
import { silentLogger } from '../../src/ports/logger.js';
import { CommitGroup } from '../../src/store/commit-group.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { InputLedger } from '../../src/store/inputs.js';
import { ReportStore } from '../../src/store/reports.js';

const clock = { now: () => 1_795_000_000 };
// A full collection on demand, for measuring what is held (node --expose-gc, set from here).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function record(i: number): string {
  return `<record><row><source_ip>192.0.2.${i}</source_ip><count>${i}</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers><auth_results><spf><domain>example.com</domain><result>pass</result></spf></auth_results></record>\n`;
}

/** A report with `n` records, cut into the pieces `cuts` names (offsets in records). */
function reportPieces(id: string, n: number, cuts: readonly number[]): string[] {
  const head = `<?xml version="1.0" encoding="UTF-8"?>\n<feedback><report_metadata><org_name>Reporter</org_name><email>r@example.net</email><report_id>${id}</report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range></report_metadata><policy_published><domain>example.com</domain><p>none</p></policy_published>\n`;
  const records = Array.from({ length: n }, (_, i) => record(i + 1));
  const pieces: string[] = [];
  let from = 0;
  for (const to of [...cuts, n]) {
    pieces.push((from === 0 ? head : '') + records.slice(from, to).join('') + (to === n ? '</feedback>\n' : ''));
    from = to;
  }
  return pieces;
}

describe('ingestPaths over real files', () => {
  let dir: string;
  let db: Database;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ruaflow-ingest-'));
    db = openDatabase(join(dir, 'db.sqlite'));
  });
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ingest = (paths: string[], limits: Limits = DEFAULT_LIMITS) =>
    ingestPaths(paths, { reports: new ReportStore(db), ledger: new InputLedger(db), limits, clock }, new CommitGroup(db), silentLogger);
  const stored = (reportId: string) =>
    db.prepare('SELECT COUNT(*) AS n, SUM(r.count) AS messages FROM records r JOIN reports p ON p.id = r.report_id WHERE p.report_id = ?').get(reportId) as {
      n: number;
      messages: number;
    };

  it('stores every record of a gzip file made of several members, as gunzip -c reads it (issue 12 #8)', async () => {
    // 10 records in three members (4 + 4 + 2), then Mimecast's CRLF after the last member.
    const members = reportPieces('multi', 10, [4, 8]).map((piece) => gzipSync(piece));
    const path = join(dir, 'multi.xml.gz');
    writeFileSync(path, Buffer.concat([...members, Buffer.from('\r\n')]));
    const totals = await ingest([path]);
    assert.deepEqual([totals.new, totals.invalid], [1, 0], JSON.stringify(totals.invalidInputs));
    assert.deepEqual(stored('multi'), { n: 10, messages: 55 });
    const issues = db.prepare("SELECT issues FROM reports WHERE report_id = 'multi'").pluck().get() as string;
    assert.doesNotMatch(issues, /truncated/);
  });

  it('counts all members against max_decompressed_bytes', async () => {
    const members = reportPieces('capped', 10, [5]).map((piece) => gzipSync(piece));
    const path = join(dir, 'capped.xml.gz');
    writeFileSync(path, Buffer.concat(members));
    const firstSize = reportPieces('capped', 10, [5])[0]!.length;
    const totals = await ingest([path], { ...DEFAULT_LIMITS, maxDecompressedBytes: firstSize + 100 });
    assert.equal(totals.new, 0);
    assert.match(totals.invalidInputs[0]?.reason ?? '', /max_decompressed_bytes/);
  });

  it('stores no NUL inside org_name, and flags it on the report (issue 12 #13)', async () => {
    const path = join(dir, 'nul.xml');
    writeFileSync(path, reportPieces('nul', 1, [])[0]!.replace('<org_name>Reporter</org_name>', '<org_name>Rep\u0000orter</org_name>'));
    assert.equal((await ingest([path])).new, 1);
    const row = db.prepare("SELECT org_name AS name, length(org_name) AS length, issues FROM reports WHERE report_id = 'nul'").get() as {
      name: string;
      length: number;
      issues: string;
    };
    assert.deepEqual([row.name, row.length], ['Reporter', 8]);
    assert.match(row.issues, /text\.control_chars/);
  });

  it('reads a large plain XML file from disk in pieces, never whole, and keeps its content hash (issue 12 #11)', async () => {
    const path = join(dir, 'large.xml');
    const xml = reportPieces('large', 60_000, [])[0]!;
    writeFileSync(path, xml);
    const size = Buffer.byteLength(xml);
    // The real store, watched: what JavaScript holds in ArrayBuffers (a file read whole is one)
    // while the records are written.
    const reports = new ReportStore(db);
    const begin = reports.begin.bind(reports);
    gc();
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = 0;
    reports.begin = () => {
      const write = begin();
      let n = 0;
      return {
        ...write,
        header: write.header.bind(write),
        commit: write.commit.bind(write),
        rollback: write.rollback.bind(write),
        record(r) {
          if (++n % 5000 === 0) {
            gc(); // what is held, not what is garbage not yet collected
            peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
          }
          write.record(r);
        },
      };
    };
    const totals = await ingestPaths([path], { reports, ledger: new InputLedger(db), limits: DEFAULT_LIMITS, clock }, new CommitGroup(db), silentLogger);
    assert.deepEqual([totals.new, totals.invalid], [1, 0], JSON.stringify(totals.invalidInputs));
    assert.equal(stored('large').n, 60_000);
    assert.ok(peak > 0 && peak < size / 4, `held ${Math.round(peak / 1024)} KiB of a ${Math.round(size / 1024)} KiB file`);
    const ledger = db.prepare("SELECT sha256, size FROM inputs WHERE source_key = ?").get(path) as { sha256: string; size: number };
    assert.deepEqual(ledger, { sha256: createHash('sha256').update(xml).digest('hex'), size });
    // The same bytes again are recognised by that hash without being parsed.
    const again = await ingest([path]);
    assert.deepEqual([again.new, again.duplicate], [0, 1]);
  });
});
