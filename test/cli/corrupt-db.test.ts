/**
 * A damaged database file (issue 12, #10): bytes overwritten in pages in the middle of a real
 * SQLite file, past its header. Before the fix ingest, reports and summary exited 0 and ingest
 * went on writing into it. Now each says in one line what happened and how to recover, with exit
 * 6; ingest, poll and run check the file before they write; `ruaflow db check` finds what no
 * query happened to read.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, closeSync, existsSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { ruaflow } from '../helpers/cli.js';

const DEMO = fileURLToPath(new URL('../../reports/inbox/', import.meta.url));
const SAMPLES = fileURLToPath(new URL('../fixtures/samples/aggregate/parsedmarc/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ruaflow-corrupt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const CORRUPT = 6;
/** The whole demo period and the samples' (2015–2019) in one range. */
const PERIOD = ['--period', '2016-01-01..2026-12-31', '--offline'];

/** Reproducible "random" bytes: SHA-256 in counter mode over a seed. */
function noise(seed: string, length: number): Buffer {
  const chunks: Buffer[] = [];
  for (let i = 0; chunks.length * 32 < length; i++) chunks.push(createHash('sha256').update(`${seed}:${i}`).digest());
  return Buffer.concat(chunks).subarray(0, length);
}

/** Overwrite whole pages with noise; page 1 (the header and the schema's root) is never among them. */
function overwritePages(path: string, pages: readonly number[]): void {
  const fd = openSync(path, 'r+');
  try {
    const pageSize = readFileSync(path).readUInt16BE(16);
    for (const page of pages) {
      assert.ok(page > 1);
      writeSync(fd, noise(`${path}:${page}`, pageSize), 0, pageSize, (page - 1) * pageSize);
    }
  } finally {
    closeSync(fd);
  }
}

function pageCount(path: string): number {
  const fd = openSync(path, 'r');
  try {
    return fstatSync(fd).size / readFileSync(path).readUInt16BE(16);
  } finally {
    closeSync(fd);
  }
}

/** The pages a table's b-tree occupies (dbstat), its root page apart. */
function pagesOf(path: string, table: string): number[] {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    const root = db.prepare<[string], { rootpage: number }>('SELECT rootpage FROM sqlite_schema WHERE name = ?').get(table)?.rootpage;
    return db.prepare<[string], { pageno: number }>('SELECT pageno FROM dbstat WHERE name = ? ORDER BY pageno').all(table).map((r) => r.pageno).filter((p) => p !== root);
  } finally {
    db.close();
  }
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

const ONE_LINE = (db: string): RegExp =>
  new RegExp(`^ruaflow: ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the database file is damaged \\([^\\n]+\\); restore it from a backup, or keep what is readable with sqlite3 [^\\n]+ \\.recover [^\\n]+ and ingest the reports again from the archive mailbox[^\\n]*\\n$`);

describe('a damaged database', () => {
  const good = join(dir, 'good.sqlite');
  before(async () => {
    for (const input of [DEMO, SAMPLES]) {
      const r = await ruaflow(['ingest', input, '--db', good, '--quiet']);
      assert.ok(r.code === 0 || r.code === 3, r.stderr);
    }
  });

  it('db check: ok on a sound file (full and --quick), exit 0', async () => {
    for (const quick of [[], ['--quick']]) {
      const r = await ruaflow(['db', 'check', ...quick, '--db', good]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${good}: ok (${quick.length === 0 ? 'integrity_check' : 'quick_check'})\n`);
      const json = await ruaflow(['db', 'check', ...quick, '--db', good, '--json']);
      assert.deepEqual(JSON.parse(json.stdout), { database: good, check: quick.length === 0 ? 'integrity_check' : 'quick_check', ok: true, problems: [] });
    }
  });

  it('random bytes over the middle third of the file: ingest refuses to write (exit 6), summary and db check say so', async () => {
    const db = join(dir, 'middle.sqlite');
    copyFileSync(good, db);
    const n = pageCount(db);
    const middle = Array.from({ length: Math.floor(n / 3) }, (_, i) => Math.floor(n / 3) + i);
    assert.ok(pagesOf(db, 'records').some((p) => middle.includes(p)), 'the damage hits the records');
    overwritePages(db, middle);
    const before = sha256(db);

    const ingest = await ruaflow(['ingest', join(SAMPLES, 'nice-input.xml.gz'), '--db', db]);
    assert.equal(ingest.code, CORRUPT, ingest.stderr);
    assert.match(ingest.stderr, ONE_LINE(db));
    assert.equal(sha256(db), before, 'nothing written into the damaged file');

    const summary = await ruaflow(['summary', ...PERIOD, '--db', db]);
    assert.equal(summary.code, CORRUPT, summary.stderr);
    assert.match(summary.stderr, ONE_LINE(db));
    assert.equal(summary.stdout, '');

    const check = await ruaflow(['db', 'check', '--db', db]);
    assert.equal(check.code, CORRUPT, check.stderr);
    const lines = check.stdout.trim().split('\n');
    assert.match(lines.at(-1) ?? '', new RegExp(`^${db.replace(/[.]/g, '\\.')}: damaged \\(integrity_check: \\d+ problems?\\); restore it from a backup, or `));
    assert.ok(lines.length >= 2, check.stdout);
    const quick = await ruaflow(['db', 'check', '--quick', '--db', db, '--json']);
    assert.equal(quick.code, CORRUPT, quick.stderr);
    const json = JSON.parse(quick.stdout) as { ok: boolean; check: string; problems: string[] };
    assert.equal(json.ok, false);
    assert.equal(json.check, 'quick_check');
    assert.ok(json.problems.length > 0);
  });

  it('a few bytes inside three pages of records, which no query of reports reads: ingest refuses (exit 6), db check --quick finds them', async () => {
    const db = join(dir, 'quiet.sqlite');
    copyFileSync(good, db);
    const records = pagesOf(db, 'records');
    const pageSize = readFileSync(db).readUInt16BE(16);
    const fd = openSync(db, 'r+');
    for (const page of records.slice(Math.floor(records.length / 2), Math.floor(records.length / 2) + 3)) {
      writeSync(fd, noise(`quiet:${page}`, 64), 0, 64, (page - 1) * pageSize + 200);
    }
    closeSync(fd);
    const before = sha256(db);
    const list = await ruaflow(['reports', '--db', db, '--json']);
    assert.equal(list.code, 0, 'reports reads only the reports table: its answer stands');
    const ingest = await ruaflow(['ingest', join(SAMPLES, 'nice-input.xml.gz'), '--db', db]);
    assert.equal(ingest.code, CORRUPT, ingest.stderr);
    assert.match(ingest.stderr, ONE_LINE(db));
    assert.equal(sha256(db), before);
    const check = await ruaflow(['db', 'check', '--quick', '--db', db]);
    assert.equal(check.code, CORRUPT, check.stdout);
  });

  it('random bytes over the pages of the reports table: reports says so in one line, exit 6', async () => {
    const db = join(dir, 'reports.sqlite');
    copyFileSync(good, db);
    const pages = pagesOf(db, 'reports');
    assert.ok(pages.length > 0);
    overwritePages(db, pages);
    for (const args of [['reports'], ['reports', '--json'], ['summary', ...PERIOD, '--json']]) {
      const r = await ruaflow([...args, '--db', db]);
      assert.equal(r.code, CORRUPT, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, ONE_LINE(db));
      assert.equal(r.stdout, '');
    }
  });

  it('a file that is not a database at all: one line, exit 6, for reading and writing commands', async () => {
    const db = join(dir, 'not-a-db.sqlite');
    copyFileSync(good, db);
    const fd = openSync(db, 'r+');
    writeSync(fd, noise('header', 100), 0, 100, 0);
    closeSync(fd);
    for (const args of [['reports'], ['ingest', join(SAMPLES, 'nice-input.xml.gz')], ['db', 'check']]) {
      const r = await ruaflow([...args, '--db', db]);
      assert.equal(r.code, CORRUPT, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, ONE_LINE(db));
    }
  });

  it('db check on a database that does not exist: the read-only error, nothing made', async () => {
    const db = join(dir, 'nope', 'ruaflow.sqlite');
    const r = await ruaflow(['db', 'check', '--db', db]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no such database/);
    assert.equal(existsSync(join(dir, 'nope')), false);
  });
});
