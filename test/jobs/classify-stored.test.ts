/**
 * Correlation golden tests (STYLE.md 11): the hand-written reports in test/fixtures/correlation go
 * through the real ingest code into a real SQLite file, are classified against the fixture
 * configuration — PTR names from a real DNS server on loopback — and the class of every record
 * is compared with its reviewed expectation beside the fixtures (`*.expected.json`).
 * UPDATE_GOLDEN=1 rewrites the expectations; review the diff before committing.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../../src/app/config.js';
import { loadSigningKeys } from '../../src/app/signing-keys.js';
import { DKIM_FAIL_CAUSES, SOURCE_CLASSES } from '../../src/store/source-classes.js';
import { createPtrNames } from '../../src/analyze/ptr-names.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { classifyStored, type ClassifyDeps } from '../../src/jobs/classify-stored.js';
import { ingestInput } from '../../src/jobs/ingest-input.js';
import { createDnsResolver } from '../../src/platform/dns-resolver.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { InputLedger } from '../../src/store/inputs.js';
import { PtrCache } from '../../src/store/ptr-cache.js';
import { ReportStore } from '../../src/store/reports.js';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/correlation/', import.meta.url));
const update = process.env['UPDATE_GOLDEN'] === '1';
const clock = { now: () => 1_795_000_000 };

/** Reverse and forward DNS for the PTR-matched service: 203.0.113.50 is forward-confirmed as a
 * SendGrid host; 203.0.113.52 claims a sendgrid.net name that does not point back. */
const ZONE = {
  '50.113.0.203.in-addr.arpa': { PTR: ['o1.ptr1234.sendgrid.net'] },
  'o1.ptr1234.sendgrid.net': { A: ['203.0.113.50'] },
  '52.113.0.203.in-addr.arpa': { PTR: ['fake.sendgrid.net'] },
  'fake.sendgrid.net': { A: ['203.0.113.99'] },
  '10.2.0.192.in-addr.arpa': { PTR: ['mail.example.com'] },
  'mail.example.com': { A: ['192.0.2.10'] },
};

async function ingest(db: Database, dir: string): Promise<void> {
  const stores = { reports: new ReportStore(db), ledger: new InputLedger(db), limits: DEFAULT_LIMITS, clock };
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.xml')).sort()) {
    const result = await ingestInput({ source: 'file', key: join(dir, name), label: name }, readFileSync(join(dir, name)), stores);
    assert.equal(result.outcome, 'stored', `${name}: ${result.reason ?? ''}`);
  }
}

const config = (file: string): Promise<Config> => loadConfig({ configPath: join(FIXTURES, file), env: {}, cwd: FIXTURES });

/** Every record, with its class or none (a domain that is not ours). */
function classesView(db: Database) {
  return db
    .prepare(
      `SELECT p.org_name || ' ' || p.report_id AS report, r.source_ip AS ip, r.header_from, r.count,
              c.domain, c.class, c.cause, c.service, c.matched_by, c.ptr_name, c.reason, c.fix
         FROM records r JOIN reports p ON p.id = r.report_id LEFT JOIN record_classes c ON c.record_id = r.id
        ORDER BY p.begin_ts, p.org_name, r.id`,
    )
    .all() as Record<string, unknown>[];
}

function golden(name: string, actual: unknown): void {
  const path = join(FIXTURES, name);
  if (update || !existsSync(path)) {
    if (!update) assert.fail(`no golden file ${name}; run UPDATE_GOLDEN=1 npm test and review it`);
    writeFileSync(path, `${JSON.stringify(actual, null, 2)}\n`);
    return;
  }
  assert.deepEqual(actual, JSON.parse(readFileSync(path, 'utf8')));
}

describe('correlation golden tests', () => {
  let dns: DnsServer;
  let dir: string;
  let db: Database;
  let deps: (cfg: Config, offline?: boolean) => ClassifyDeps;

  before(async () => {
    dns = await startDnsServer(ZONE);
    dir = mkdtempSync(join(tmpdir(), 'ruaflow-correlate-'));
    db = openDatabase(join(dir, 'ruaflow.sqlite'));
    await ingest(db, FIXTURES);
    const resolver = createDnsResolver({ servers: [dns.server], timeoutMs: 2000 }, { cacheSeconds: 0 });
    deps = (cfg, offline = false) => ({
      keys: loadSigningKeys(cfg),
      names: createPtrNames({ cache: new PtrCache(db), resolver: offline ? null : resolver, clock }),
      clock,
    });
  });
  after(async () => {
    db.close();
    await dns.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('classifies every record of our domains (ruaflow.expected.json), none of other domains', async () => {
    const cfg = await config('ruaflow.toml');
    const totals = await classifyStored(db, cfg, deps(cfg));
    const view = classesView(db);
    golden('ruaflow.expected.json', view);
    assert.deepEqual([...totals.rebuilt].sort(), ['example.com', 'example.org', 'shop.example.com']);
    assert.equal(totals.classified, view.filter((v) => v['class'] !== null).length);
    // The fixtures cover every class and every cause of ours-dkim-fail.
    assert.deepEqual(new Set(view.map((v) => v['class']).filter((c) => c !== null)), new Set(SOURCE_CLASSES));
    assert.deepEqual(new Set(view.map((v) => v['cause']).filter((c) => c !== null)), new Set(DKIM_FAIL_CAUSES));
    assert.ok(view.some((v) => v['class'] === null && v['header_from'] === 'example.net'), 'example.net is not ours');
    // The PTR name of the SendGrid host is forward-confirmed; the fake one is not.
    const ptr = view.find((v) => v['ip'] === '203.0.113.50');
    assert.deepEqual([ptr?.['class'], ptr?.['matched_by'], ptr?.['ptr_name']], ['service-pass', 'ptr', 'o1.ptr1234.sendgrid.net']);
    assert.equal(view.find((v) => v['ip'] === '203.0.113.52')?.['class'], 'spoof');
  });

  it('does nothing when nothing changed, and asks DNS nothing (answers cached in ptr_cache)', async () => {
    const cfg = await config('ruaflow.toml');
    const queries = dns.queries.length;
    const before = classesView(db);
    const totals = await classifyStored(db, cfg, deps(cfg));
    assert.deepEqual(totals, { classified: 0, rebuilt: [] });
    assert.equal(dns.queries.length, queries);
    assert.deepEqual(classesView(db), before);
  });

  it('classifies again after a configuration change (ruaflow-changed.expected.json), only the changed domain', async () => {
    const cfg = await config('ruaflow-changed.toml');
    const totals = await classifyStored(db, cfg, deps(cfg));
    assert.deepEqual(totals.rebuilt, ['example.com']);
    const view = classesView(db);
    golden('ruaflow-changed.expected.json', view);
    const byIp = (ip: string) => view.find((v) => v['ip'] === ip);
    assert.deepEqual([byIp('198.18.0.6')?.['class'], byIp('198.18.0.6')?.['cause']], ['ours-dkim-fail', 'no-signature']);
    assert.equal(byIp('2001:db8:25::1')?.['cause'], 'unknown-selector', 'old2019 is no longer retired');
    assert.notEqual(byIp('203.0.113.50')?.['class'], 'service-pass', 'SendGrid is gone');
  });

  it('classifies only the records of a new report', async () => {
    const cfg = await config('ruaflow-changed.toml');
    await ingest(db, join(FIXTURES, 'later'));
    const totals = await classifyStored(db, cfg, deps(cfg));
    assert.deepEqual(totals, { classified: 2, rebuilt: [] });
    const later = classesView(db).filter((v) => String(v['report']).endsWith('corr-a-1123'));
    assert.deepEqual(
      later.map((v) => [v['ip'], v['class']]),
      [
        ['192.0.2.10', 'ours-pass'],
        ['198.18.0.11', 'spoof'],
      ],
    );
  });

  it('offline, a PTR-matched service is unknown until its name is known; then it is redone', async () => {
    const fresh = openDatabase(join(dir, 'offline.sqlite'));
    try {
      await ingest(fresh, FIXTURES);
      const cfg = await config('ruaflow.toml');
      const resolver = createDnsResolver({ servers: [dns.server], timeoutMs: 2000 }, { cacheSeconds: 0 });
      const names = (offline: boolean) => createPtrNames({ cache: new PtrCache(fresh), resolver: offline ? null : resolver, clock });
      const keys = loadSigningKeys(cfg);
      await classifyStored(fresh, cfg, { keys, names: names(true), clock });
      const sendgrid = () => classesView(fresh).find((v) => v['ip'] === '203.0.113.50');
      assert.deepEqual([sendgrid()?.['class'], sendgrid()?.['ptr_name']], ['unknown-pass', null]);
      const totals = await classifyStored(fresh, cfg, { keys, names: names(false), clock });
      assert.equal(totals.classified, 1, 'only the record whose source now has a name');
      assert.deepEqual([sendgrid()?.['class'], sendgrid()?.['service']], ['service-pass', 'SendGrid']);
    } finally {
      fresh.close();
    }
  });

  it('forgets the classes of a domain that is no longer configured', async () => {
    const cfg = await config('ruaflow-changed.toml');
    const without = { ...cfg, domains: cfg.domains.filter((d) => d.name !== 'example.org') };
    await classifyStored(db, without, deps(without));
    assert.equal(classesView(db).filter((v) => v['domain'] === 'example.org').length, 0);
  });
});
