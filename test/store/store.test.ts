import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { DatabaseTooNewError } from '../../src/errors.js';
import { openDatabase } from '../../src/store/database.js';
import { ipToBytes } from '../../src/report/aggregate/ip.js';
import { loadMigrations, migrate } from '../../src/store/migrate.js';
import { listReports } from '../../src/store/report-list.js';
import { ReportStore } from '../../src/store/reports.js';
import { collect, report } from '../helpers/parse.js';

const dir = mkdtempSync(join(tmpdir(), 'ruaflow-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function store(xml: string, db: BetterSqlite3.Database): 'new' | 'duplicate' {
  const parsed = collect(xml);
  const write = new ReportStore(db).begin();
  const seen = write.header(parsed.headerEvent!, { inputId: null, payloadName: 'test.xml', now: 1 });
  if (seen.kind === 'duplicate') {
    write.rollback();
    return 'duplicate';
  }
  for (const r of parsed.records) write.record(r);
  write.commit({ ...parsed.outcome, contentSha256: 'abc' });
  return 'new';
}

describe('store', () => {
  it('stores a report with its records and results, on a real file, in WAL mode', () => {
    const path = join(dir, 'a.sqlite');
    const db = openDatabase(path);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(store(report(), db), 'new');
    const [r] = listReports(db);
    assert.equal(r?.orgName, 'Reporter');
    assert.equal(r?.records, 1);
    assert.equal(r?.messages, 3);
    assert.equal(db.prepare('SELECT COUNT(*) n FROM dkim_results').get()!['n' as never], 1);
    assert.equal(db.prepare('SELECT COUNT(*) n FROM spf_results').get()!['n' as never], 1);
    db.close();
  });

  it('stores a duplicate once: same org, report id, domain and period', () => {
    const db = openDatabase(join(dir, 'b.sqlite'));
    assert.equal(store(report(), db), 'new');
    assert.equal(store(report(), db), 'duplicate');
    // Same report id from another reporter is another report (NOTES §8.26).
    assert.equal(store(report().replace('<org_name>Reporter</org_name>', '<org_name>Other</org_name>'), db), 'new');
    assert.equal(listReports(db).length, 2);
    assert.equal(db.prepare('SELECT COUNT(*) n FROM records').get()!['n' as never], 2);
    db.close();
  });

  it('rolls back a report that fails half way: nothing of it remains', () => {
    const db = openDatabase(join(dir, 'c.sqlite'));
    const parsed = collect(report());
    const write = new ReportStore(db).begin();
    write.header(parsed.headerEvent!, { inputId: null, payloadName: 'x', now: 1 });
    write.record(parsed.records[0]!);
    write.rollback();
    assert.equal(listReports(db).length, 0);
    assert.equal(db.prepare('SELECT COUNT(*) n FROM records').get()!['n' as never], 0);
    db.close();
  });

  it('lets a reader query while a writer holds a report transaction open (WAL)', () => {
    const path = join(dir, 'd.sqlite');
    const writer = openDatabase(path);
    store(report(), writer);
    const parsed = collect(report().replace('r-1', 'r-2'));
    const write = new ReportStore(writer).begin();
    write.header(parsed.headerEvent!, { inputId: null, payloadName: 'x', now: 1 });
    const reader = new BetterSqlite3(path, { readonly: true });
    assert.equal((reader.prepare('SELECT COUNT(*) n FROM reports').get() as { n: number }).n, 1);
    write.rollback();
    reader.close();
    writer.close();
  });

  it('migrates an existing database forward and keeps its data', () => {
    const migrations = join(dir, 'migrations');
    mkdirSync(migrations);
    const real = loadMigrations();
    for (const m of real) writeFileSync(join(migrations, m.name), m.sql);
    const path = join(dir, 'e.sqlite');
    const db = new BetterSqlite3(path);
    assert.deepEqual(migrate(db, loadMigrations(migrations), path), real.map((m) => m.version));
    store(report(), db);
    const next = real.length + 1;
    writeFileSync(join(migrations, `${String(next).padStart(3, '0')}_extra.sql`), 'ALTER TABLE reports ADD COLUMN note TEXT;');
    assert.deepEqual(migrate(db, loadMigrations(migrations), path), [next]);
    assert.deepEqual(migrate(db, loadMigrations(migrations), path), []);
    assert.equal(db.pragma('user_version', { simple: true }), next);
    assert.equal(listReports(db).length, 1);
    db.close();
  });

  it('gives each source address one id, the same in every report; a rolled-back report takes its new ids with it', () => {
    const db = openDatabase(join(dir, 'ids.sqlite'));
    const row = (ip: string): string => report().match(/<record>.*<\/record>/s)![0].replace('192.0.2.1', ip);
    store(report({ records: [row('192.0.2.1'), row('2001:db8::1')] }), db);
    store(report({ records: [row('2001:db8::1'), row('198.51.100.7')] }).replace('r-1', 'r-2'), db);
    const ids = db.prepare('SELECT r.source_ip ip, r.source_id id, s.ip named FROM records r JOIN source_ips s ON s.id = r.source_id ORDER BY r.id').all() as { ip: string; id: number; named: string }[];
    assert.equal(ids.length, 4, 'every record has a source id');
    assert.ok(ids.every((r) => r.ip === r.named));
    assert.equal(ids[1]!.id, ids[2]!.id);
    assert.equal(new Set(ids.map((r) => r.id)).size, 3);

    const parsed = collect(report({ records: [row('203.0.113.9')] }).replace('r-1', 'r-3'));
    const write = new ReportStore(db).begin();
    write.header(parsed.headerEvent!, { inputId: null, payloadName: 'x', now: 1 });
    for (let i = 0; i < 300; i++) write.record(parsed.records[0]!); // past a batch: the records are written
    write.rollback();
    assert.equal(db.prepare("SELECT COUNT(*) n FROM source_ips WHERE ip = '203.0.113.9'").get()!['n' as never], 0);
    db.close();
  });

  it('numbers the sources of a database written before source ids (migration 006)', () => {
    const migrations = join(dir, 'before-006');
    mkdirSync(migrations);
    const real = loadMigrations();
    for (const m of real.filter((m) => m.version < 6)) writeFileSync(join(migrations, m.name), m.sql);
    const path = join(dir, 'before-006.sqlite');
    const db = new BetterSqlite3(path);
    migrate(db, loadMigrations(migrations), path);
    db.exec(`INSERT INTO reports (id, org_name, report_id, report_id_raw, policy_domain, begin_ts, end_ts, format, content_sha256, stored_at)
             VALUES (1, 'R', 'a', 'a', 'example.com', 0, 86399, 'rfc7489', '', 0);
             INSERT INTO records (report_id, source_ip, count) VALUES (1, '192.0.2.1', 1), (1, '192.0.2.2', 2), (1, '192.0.2.1', 3);`);
    assert.deepEqual(migrate(db, real, path), real.filter((m) => m.version >= 6).map((m) => m.version));
    const rows = db.prepare('SELECT r.source_ip ip, s.ip named, r.source_id id FROM records r JOIN source_ips s ON s.id = r.source_id ORDER BY r.id').all() as { ip: string; named: string; id: number }[];
    assert.deepEqual(rows.map((r) => r.named), ['192.0.2.1', '192.0.2.2', '192.0.2.1']);
    assert.equal(rows[0]!.id, rows[2]!.id);
    db.close();
  });

  it('refuses a database written by a newer ruaflow', () => {
    const path = join(dir, 'f.sqlite');
    const db = new BetterSqlite3(path);
    db.pragma('user_version = 99');
    db.close();
    assert.throws(() => openDatabase(path), (e: unknown) => e instanceof DatabaseTooNewError && /newer/.test(e.message));
  });

  it('keeps the committed schema dump in step with the migrations', () => {
    const db = openDatabase(':memory:');
    const dump = (db.prepare("SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY type DESC, name").all() as { sql: string }[])
      .map((r) => `${r.sql};`)
      .join('\n\n');
    const committed = readFileSync(new URL('../../schema/schema.sql', import.meta.url), 'utf8');
    assert.equal(committed.trim(), dump.trim(), 'schema/schema.sql is stale: run npm run schema:dump');
    db.close();
  });

  it('stores IPv4 and IPv6 sources as sortable 16-byte values for range queries', () => {
    assert.equal(ipToBytes('192.0.2.1', 4)?.toString('hex'), '00000000000000000000ffffc0000201');
    assert.equal(ipToBytes('2001:db8::1', 6)?.toString('hex'), '20010db8000000000000000000000001');
    assert.equal(ipToBytes('::ffff:192.0.2.1', 6)?.toString('hex'), '00000000000000000000ffffc0000201');
    assert.equal(ipToBytes('::', 6)?.toString('hex'), '0'.repeat(32));
    assert.equal(ipToBytes('1:2:3:4:5:6:7:8', 6)?.toString('hex'), '00010002000300040005000600070008');
    assert.equal(ipToBytes('not-an-ip', null), null);
    const db = openDatabase(':memory:');
    store(report({ records: ['<record><row><source_ip>2001:db8:1::5</source_ip><count>1</count></row><identifiers><header_from>example.com</header_from></identifiers></record>', '<record><row><source_ip>198.51.100.7</source_ip><count>1</count></row><identifiers><header_from>example.com</header_from></identifiers></record>'] }), db);
    const inNet = db
      .prepare('SELECT source_ip FROM records WHERE ip_bin BETWEEN ? AND ?')
      .all(ipToBytes('2001:db8::', 6), ipToBytes('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 6)) as { source_ip: string }[];
    assert.deepEqual(inNet.map((r) => r.source_ip), ['2001:db8:1::5']);
    db.close();
  });
});
