/** The sources job called directly: reports stored by the ingest job in real SQLite files, PTR
 * names from a loopback DNS server. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { SOURCE_CLASSES } from '../../src/store/source-classes.js';
import { loadConfig } from '../../src/app/config.js';
import { ingestDeps, openApp, sourcesDeps } from '../../src/app/deps.js';
import { renderSources, sourcesJson } from '../../src/deliver/sources-text.js';
import { ingestFiles } from '../../src/jobs/ingest.js';
import { listDomainSources, sourceDomains } from '../../src/jobs/sources.js';
import { silentLogger } from '../../src/ports/logger.js';
import type { DnsServer } from '../helpers/dns-server.js';
import { assertExampleComSources, CORRELATION_CONFIG, CORRELATION_REPORTS, expectedClasses, startSourcesDns, type SourcesJson } from '../helpers/sources-setup.js';

describe('listDomainSources', () => {
  let dns: DnsServer;
  let dir: string;
  let db: string;
  let env: NodeJS.ProcessEnv;

  /** Stored as `ruaflow ingest` does it: with the configuration given, else none. */
  async function ingest(dbPath: string, paths: readonly string[], configPath?: string): Promise<void> {
    const bare = join(dir, 'bare');
    mkdirSync(bare, { recursive: true });
    const app = openApp(await loadConfig({ configPath, env: {}, cwd: bare }), dbPath);
    try {
      await ingestFiles(ingestDeps(app, silentLogger), paths);
    } finally {
      app.close();
    }
  }

  /** The views `ruaflow sources` renders; domains: the ones asked for (default all configured). */
  async function sources(dbPath: string, ask: { domains?: string[]; period?: string; offline?: boolean }, configPath = CORRELATION_CONFIG) {
    const config = await loadConfig({ configPath, env, cwd: dir });
    const app = openApp(config, dbPath);
    try {
      const domains = sourceDomains(config, ask.domains?.[0] === undefined ? undefined : { name: ask.domains[0], typed: ask.domains[0] });
      return await listDomainSources(sourcesDeps(app, ask.offline === true), { domains, period: ask.period });
    } finally {
      app.close();
    }
  }

  before(async () => {
    ({ dns, env } = await startSourcesDns());
    dir = mkdtempSync(join(tmpdir(), 'ruaflow-sources-job-'));
    db = join(dir, 'ruaflow.sqlite');
    await ingest(db, CORRELATION_REPORTS);
  });
  after(async () => {
    await dns.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('one domain: sources with class, volume, names and fix, largest first', async () => {
    const json = sourcesJson((await sources(db, { domains: ['example.com'] }))[0]!) as SourcesJson;
    assertExampleComSources(json);
  });

  it('a period keeps the reports whose date range meets it', async () => {
    const json = sourcesJson((await sources(db, { domains: ['example.com'], period: '2026-11-17..2026-11-17' }))[0]!) as SourcesJson;
    assert.deepEqual(json.period, { label: '2026-11-17', begin: Date.UTC(2026, 10, 17) / 1000, end: Date.UTC(2026, 10, 17, 23, 59, 59) / 1000 });
    const ips = json.sources.map((s) => s.ip);
    assert.ok(ips.includes('198.18.0.10') && !ips.includes('192.0.2.14'), ips.join(' '));

    const none = await sources(db, { domains: ['example.org'], period: '2020-01-01' });
    assert.equal(none.map(renderSources).join('\n'), 'example.org: 2020-01-01 .. 2020-01-01\n  no records of this domain in the period\n');
  });

  it('every configured domain; text fits 100 columns', async () => {
    const views = await sources(db, {});
    const list = views.map(sourcesJson) as SourcesJson[];
    assert.deepEqual(list.map((d) => d.domain), ['example.com', 'shop.example.com', 'example.org']);
    assert.deepEqual(list[2]?.classes, expectedClasses('example.org'));

    const text = { stdout: views.map(renderSources).join('\n') };
    for (const line of text.stdout.split('\n')) assert.ok(line.length <= 100, `${line.length}: ${line}`);
    assert.match(text.stdout, /^example\.com: 2026-11-16 \.\. 2026-11-17 \(all\)$/m);
    const totals = expectedClasses('example.com');
    const header = SOURCE_CLASSES.filter((c) => (totals[c] ?? 0) > 0).map((c) => `${c} ${(totals[c] ?? 0).toLocaleString('en-US')}`);
    assert.equal(text.stdout.split('\n').slice(2, 4).map((l) => l.trim()).join(' '), header.join(' · '));
    assert.match(text.stdout, /service-pass\s+203\.0\.113\.50 {2}o1\.ptr1234\.sendgrid\.net/);
    assert.match(text.stdout, /fix: Run ruaflow check/);
    assert.match(text.stdout, /^example\.org: /m);
  });

  it('offline asks no DNS: a source only a PTR name explains stays unknown', async () => {
    const fresh = join(dir, 'offline.sqlite');
    await ingest(fresh, CORRELATION_REPORTS);
    const asked = dns.queries.length;
    const json = sourcesJson((await sources(fresh, { domains: ['example.com'], offline: true }))[0]!) as SourcesJson;
    assert.equal(dns.queries.length, asked);
    assert.deepEqual(json.sources.find((s) => s.ip === '203.0.113.50')?.class, 'unknown-pass');
  });

  it('ingest with [[domains]] classifies what it stores, without DNS', async () => {
    const own = join(dir, 'ingest-classifies.sqlite');
    const before = dns.queries.length;
    await ingest(own, CORRELATION_REPORTS, CORRELATION_CONFIG);
    assert.equal(dns.queries.length, before, 'ingest asked DNS');
    const sqlite = new BetterSqlite3(own, { readonly: true });
    const rows = sqlite.prepare('SELECT domain, class, SUM(count) AS n FROM classified_records GROUP BY domain, class').all() as { domain: string; class: string; n: number }[];
    sqlite.close();
    const classes = Object.fromEntries(rows.filter((r) => r.domain === 'example.com').map((r) => [r.class, r.n]));
    // Offline, the PTR-matched service is not known yet: everything else is as the golden file says.
    const expected = expectedClasses('example.com');
    for (const [cls, n] of Object.entries(expected)) if (n > 0 && cls !== 'service-pass' && cls !== 'unknown-pass') assert.equal(classes[cls], n, cls);
    assert.ok(Object.values(classes).reduce((a, b) => a + b, 0) === Object.values(expected).reduce((a, b) => a + b, 0));
  });

  it('a report whose end is written as the next midnight belongs to its own day, as in summaries', async () => {
    const summaryFixtures = fileURLToPath(new URL('../fixtures/summary/fastmail-2026-11-25-midnight-end.xml', import.meta.url));
    const own = join(dir, 'midnight.sqlite');
    const toml = join(dir, 'midnight.toml');
    writeFileSync(toml, '[[domains]]\nname = "example.com"\nrelays = ["192.0.2.10"]\n');
    await ingest(own, [summaryFixtures], toml);
    const on = async (day: string) => sourcesJson((await sources(own, { domains: ['example.com'], period: day, offline: true }, toml))[0]!) as SourcesJson;
    assert.deepEqual((await on('2026-11-25')).sources.map((x) => x.ip), ['192.0.2.10']);
    assert.deepEqual((await on('2026-11-26')).sources, []);
  });

  it('the domains: all configured, or the one asked for; none configured or another one is an error', async () => {
    const config = await loadConfig({ configPath: CORRELATION_CONFIG, env, cwd: dir });
    assert.deepEqual(sourceDomains(config), ['example.com', 'shop.example.com', 'example.org']);
    assert.deepEqual(sourceDomains(config, { name: 'example.org', typed: 'Example.ORG.' }), ['example.org']);
    assert.throws(() => sourceDomains(config, { name: 'example.net', typed: 'Example.NET' }), /sources --domain Example\.NET: not one of the \[\[domains\]\]/);
    assert.throws(() => sourceDomains({ domains: [], file: '/x/ruaflow.toml' }), /no \[\[domains\]\] in \/x\/ruaflow\.toml: add one table per domain you own, e\.g\. .*\(docs\/sources-and-check\.md\)$/);
  });
});
