/**
 * `ruaflow web` over a real SQLite file with the summary fixtures ingested: the API answers with
 * exactly what `ruaflow summary --format json --offline` prints for the same period and domain
 * (only generated_at differs: the time of the request), /health says the database is there,
 * a bad period is 400, an unknown address 404, a non-loopback --listen is refused (exit 2),
 * and SIGTERM stops it with exit 0.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ruaflow } from '../helpers/cli.js';
import { ingestFixtures, offlineSummary, summaryFolder } from '../helpers/summary-folder.js';
import { startWeb, type WebServer } from '../helpers/web-server.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/summary/', import.meta.url));
const folder = summaryFolder('ruaflow-web-api-');
let web: WebServer;

before(async () => {
  await ingestFixtures(folder, FIXTURES);
  web = await startWeb(['--db', folder.db, '--config', folder.config]);
});
after(async () => {
  await web?.stop();
  rmSync(folder.dir, { recursive: true, force: true });
});

/** The JSON without generated_at (the time it was made). */
function numbers(json: unknown): unknown {
  const { generated_at: _, ...rest } = json as Record<string, unknown>;
  return rest;
}

async function getJson(path: string): Promise<{ status: number; body: unknown; headers: Headers }> {
  const r = await fetch(`${web.base}${path}`);
  return { status: r.status, body: await r.json(), headers: r.headers };
}

describe('ruaflow web: the API is summary --format json', () => {
  for (const [query, period] of [
    ['from=2026-11-23&to=2026-11-29', '2026-11-23..2026-11-29'],
    ['from=2026-11-10&to=2026-11-30', '2026-11-10..2026-11-30'],
    ['period=all', 'all'],
  ] as const) {
    it(`overview ?${query} = summary --period ${period}`, async () => {
      const api = await getJson(`/api/v1/overview?${query}`);
      assert.equal(api.status, 200);
      const cli = JSON.parse(await offlineSummary(folder, ['--format', 'json', '--period', period])) as unknown;
      assert.deepEqual(numbers(api.body), numbers(cli));
      assert.ok((api.body as { domains: unknown[] }).domains.length > 0);
    });

    it(`domains/example.com ?${query} = summary --domain example.com --period ${period}`, async () => {
      const api = await getJson(`/api/v1/domains/example.com?${query}`);
      assert.equal(api.status, 200);
      const cli = JSON.parse(await offlineSummary(folder, ['--format', 'json', '--domain', 'example.com', '--period', period])) as unknown;
      assert.deepEqual(numbers(api.body), numbers(cli));
    });
  }

  it('the default period is 30d, as summary --period 30d', async () => {
    const api = await getJson('/api/v1/overview');
    const cli = JSON.parse(await offlineSummary(folder, ['--format', 'json', '--period', '30d'])) as unknown;
    assert.deepEqual(numbers(api.body), numbers(cli));
  });

  it('a bad period is 400 with the reason; an unknown domain is 404', async () => {
    for (const query of ['period=soon', 'from=2026-11-31&to=2026-12-01', 'from=2026-11-02', 'from=2026-11-09&to=2026-11-02', 'period=7d&from=2026-11-01&to=2026-11-02']) {
      const r = await getJson(`/api/v1/overview?${query}`);
      assert.equal(r.status, 400, query);
      assert.match((r.body as { error: string }).error, /\S/);
    }
    // As `summary --domain nowhere.example`: a domain nobody reports is there, with no messages.
    const none = await getJson('/api/v1/domains/nowhere.example?period=all');
    assert.equal(none.status, 200);
    assert.deepEqual((none.body as { domains: { domain: string; messages: number }[] }).domains.map((d) => [d.domain, d.messages]), [['nowhere.example', 0]]);
    assert.equal((await getJson('/api/v1/nowhere')).status, 404);
  });

  it('a hostile domain in the address is shown as text', async () => {
    const r = await fetch(`${web.base}/domains/${encodeURIComponent('"><script>alert(1)</script>')}?period=7d`);
    const body = await r.text();
    assert.doesNotMatch(body, /<script>alert/);
    assert.match(body, /&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  it('/health: the database is reachable, with the time of the last ingest', async () => {
    const r = await getJson('/health');
    assert.equal(r.status, 200);
    const body = r.body as { database: boolean; last_ingest: number };
    assert.equal(body.database, true);
    assert.ok(Number.isInteger(body.last_ingest) && Math.abs(body.last_ingest - Date.now() / 1000) < 3600, String(body.last_ingest));
  });

  it('every answer carries the Content-Security-Policy', async () => {
    for (const path of ['/', '/domains/example.com', '/api/v1/overview', '/health', '/nowhere']) {
      const csp = (await fetch(`${web.base}${path}`)).headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'self'/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/, path);
    }
  });
});

describe('ruaflow web: [web] base_path, behind a reverse proxy', () => {
  it('serves every route under the base path, with links relative to it; /ruaflow redirects to /ruaflow/', async () => {
    const { writeFileSync, readFileSync } = await import('node:fs');
    const toml = `${folder.dir}/base.toml`;
    writeFileSync(toml, `${readFileSync(folder.config, 'utf8')}\n[web]\nbase_path = "/tools/ruaflow"\n`);
    const own = await startWeb(['--db', folder.db, '--config', toml]);
    try {
      assert.match(own.base, /\/tools\/ruaflow$/);
      const root = new URL(own.base).origin;
      const home = await fetch(`${own.base}/?period=all`);
      assert.equal(home.status, 200);
      const body = await home.text();
      assert.match(body, /<base href="\/tools\/ruaflow\/">/);
      assert.match(body, /href="domains\/example\.com\?period=all"/);
      assert.match(body, /href="assets\/web\.css"/);
      assert.equal((await fetch(`${own.base}/assets/web.css`)).status, 200);
      assert.equal((await fetch(`${own.base}/api/v1/overview?period=all`)).status, 200);
      assert.equal((await fetch(`${root}/api/v1/overview`)).status, 404);
      const bare = await fetch(own.base, { redirect: 'manual' });
      assert.equal(bare.status, 301);
      assert.equal(bare.headers.get('location'), '/tools/ruaflow/');
    } finally {
      await own.stop();
    }
  });

  it('a base path that is not a plain path is a configuration error naming it', async () => {
    const { writeFileSync } = await import('node:fs');
    const toml = `${folder.dir}/bad-base.toml`;
    writeFileSync(toml, '[web]\nbase_path = "ruaflow/"\n');
    const r = await ruaflow(['web', '--db', folder.db, '--config', toml, '--listen', '127.0.0.1:0']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /base_path/);
  });
});

describe('ruaflow web: loopback only, stops on SIGTERM', () => {
  it('refuses --listen 0.0.0.0:PORT and a non-loopback [web] listen (exit 2, naming it)', async () => {
    const r = await ruaflow(['web', '--db', folder.db, '--listen', '0.0.0.0:8080']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--listen 0\.0\.0\.0:8080: only a loopback address/);
    const { writeFileSync } = await import('node:fs');
    const toml = `${folder.dir}/public.toml`;
    writeFileSync(toml, '[web]\nlisten = "192.0.2.1:8080"\n');
    const c = await ruaflow(['web', '--db', folder.db, '--config', toml]);
    assert.equal(c.code, 2, c.stderr);
    assert.match(c.stderr, /\[web\] listen in .*public\.toml 192\.0\.2\.1:8080: only a loopback address/);
  });

  it('SIGTERM: stops listening and exits 0', async () => {
    const own = await startWeb(['--db', folder.db, '--config', folder.config]);
    assert.equal((await fetch(`${own.base}/health`)).status, 200);
    assert.equal(await own.stop(), 0, own.log());
    await assert.rejects(fetch(`${own.base}/health`));
  });
});
