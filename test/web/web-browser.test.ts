/**
 * `ruaflow web` in a real browser (Debian's chromium, driven by playwright-core): the overview
 * and the domain page load with no console error, no failed request and no request to any other
 * origin, under the Content-Security-Policy, and lay out at 375 px and 1280 px without
 * horizontal overflow. A hostile report — org_name, header_from and DKIM selector holding
 * `<script>`, `"><img src=x onerror=…>` and a 100 KB string — renders as text: no script of it
 * runs (the globals it would set stay undefined) and no img element appears.
 * Screenshots go to a temporary folder (set RUAFLOW_SCREENSHOTS=DIR to keep them).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ingestFixtures, summaryFolder } from '../helpers/summary-folder.js';
import { startWeb, type WebServer } from '../helpers/web-server.js';
import { ruaflow } from '../helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const FIXTURES = fileURLToPath(new URL('../fixtures/summary/', import.meta.url));
const folder = summaryFolder('ruaflow-web-browser-');
const shots = process.env['RUAFLOW_SCREENSHOTS'] ?? join(folder.dir, 'screenshots');
let browser: Browser;
let web: WebServer;

const SCRIPT = '<script>window.__pwned_script = 1</script>';
const IMG = '"><img src=x onerror="window.__pwned_img = 1">';
const IMG2 = "'><img src=x onerror='window.__pwned_img2 = 1'>";
const LONG = `${'A'.repeat(50_000)}${'<b>'.repeat(10)}${'B'.repeat(50_000)}`;

const xmlText = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An aggregate report about example.com whose reporter and identifiers are attacks. */
function hostileReport(id: string, orgName: string, headerFrom: string, selector: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<feedback>
  <report_metadata><org_name>${xmlText(orgName)}</org_name><email>x@reporter.example</email><report_id>${id}</report_id>
    <extra_contact_info>${xmlText(IMG)}</extra_contact_info>
    <date_range><begin>1795478400</begin><end>1795564799</end></date_range></report_metadata>
  <policy_published><domain>example.com</domain><p>none</p><pct>100</pct></policy_published>
  <record>
    <row><source_ip>203.0.113.66</source_ip><count>7</count>
      <policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf>
        <reason><type>other</type><comment>${xmlText(SCRIPT + IMG)}</comment></reason></policy_evaluated></row>
    <identifiers><header_from>${xmlText(headerFrom)}</header_from><envelope_from>${xmlText(IMG2)}</envelope_from></identifiers>
    <auth_results>
      <dkim><domain>${xmlText(headerFrom)}</domain><selector>${xmlText(selector)}</selector><result>fail</result></dkim>
      <spf><domain>${xmlText(SCRIPT)}</domain><result>fail</result></spf>
    </auth_results>
  </record>
</feedback>
`;
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)`);
  const hostile = join(folder.dir, 'hostile');
  mkdirSync(hostile);
  writeFileSync(join(hostile, 'script.xml'), hostileReport('h-1', SCRIPT, `example.com${SCRIPT}`, SCRIPT));
  writeFileSync(join(hostile, 'img.xml'), hostileReport('h-2', IMG, IMG, IMG2));
  writeFileSync(join(hostile, 'long.xml'), hostileReport('h-3', LONG, LONG, LONG));
  await ingestFixtures(folder, FIXTURES);
  const ingest = await ruaflow(['ingest', '--db', folder.db, '--json', hostile]);
  assert.ok(ingest.code === 0 || ingest.code === 3, ingest.stderr);
  // The hostile reports are stored: what they carry reaches the pages.
  const listed = await ruaflow(['reports', '--db', folder.db, '--json']);
  const orgs = (JSON.parse(listed.stdout) as { org_name: string }[]).map((r) => r.org_name);
  for (const org of [SCRIPT, IMG, LONG]) assert.ok(orgs.includes(org), `not stored: ${org.slice(0, 40)}; ${ingest.stdout}`);

  mkdirSync(shots, { recursive: true });
  web = await startWeb(['--db', folder.db, '--config', folder.config]);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
after(async () => {
  await browser?.close();
  await web?.stop();
  if (process.env['RUAFLOW_SCREENSHOTS'] === undefined) rmSync(folder.dir, { recursive: true, force: true });
});

interface Visit {
  readonly page: Page;
  readonly problems: string[];
  readonly csp: string | null;
}

/** Opens `path` at `width` px, collecting console errors, page errors, failed requests and any
 * request that leaves the server's origin. */
async function visit(path: string, width: number): Promise<Visit> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const problems: string[] = [];
  const origin = new URL(web.base).origin;
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()}`));
  page.on('request', (r) => {
    if (new URL(r.url()).origin !== origin) problems.push(`outside request: ${r.url()}`);
  });
  const response = await page.goto(`${web.base}${path}`, { waitUntil: 'load' });
  assert.equal(response?.status(), 200, path);
  return { page, problems, csp: response?.headers()['content-security-policy'] ?? null };
}

const PAGES = [
  ['overview', '/?period=all'],
  ['domain', '/domains/example.com?period=all'],
  ['domain-week', '/domains/example.com?from=2026-11-23&to=2026-11-29'],
] as const;

describe('ruaflow web in Chromium', () => {
  for (const width of [375, 1280]) {
    for (const [name, path] of PAGES) {
      it(`${name} at ${width} px: no error, nothing from outside, CSP, no horizontal overflow`, async () => {
        const { page, problems, csp } = await visit(path, width);
        try {
          assert.match(csp ?? '', /default-src 'self'/);
          const layout = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth, css: getComputedStyle(document.body).margin }));
          assert.equal(layout.css, '0px', 'the stylesheet is applied');
          assert.ok(layout.scroll <= layout.client, `overflows: ${layout.scroll} > ${layout.client}`);
          await page.screenshot({ path: join(shots, `${name}-${width}.png`) });
          assert.deepEqual(problems, []);
        } finally {
          await page.close();
        }
      });
    }
  }

  it('the hostile report renders as text: no script runs, no img element, the period links carry along', async () => {
    for (const [, path] of PAGES) {
      const { page, problems } = await visit(path, 1280);
      try {
        const seen = await page.evaluate(() => ({
          pwned: [(window as unknown as Record<string, unknown>)['__pwned_script'], (window as unknown as Record<string, unknown>)['__pwned_img'], (window as unknown as Record<string, unknown>)['__pwned_img2']],
          imgs: document.querySelectorAll('img').length,
          scripts: document.querySelectorAll('script').length,
          bold: document.querySelectorAll('main b').length,
          text: document.body.innerText,
          links: [...document.querySelectorAll('a')].map((a) => a.getAttribute('href') ?? ''),
        }));
        assert.deepEqual(seen.pwned, [undefined, undefined, undefined], path);
        assert.equal(seen.imgs, 0, path);
        assert.equal(seen.scripts, 0, path);
        assert.equal(seen.bold, 0, path);
        assert.deepEqual(problems, [], path);
        if (path.startsWith('/domains/')) {
          // The reporter's name is shown as the characters it is.
          assert.ok(seen.text.includes(SCRIPT), 'the <script> org_name is shown as text');
          assert.ok(seen.text.includes(IMG), 'the "><img> org_name is shown as text');
          assert.ok(seen.text.includes(`${'A'.repeat(200)}… (99,830 more characters)`), 'the 100 KB org_name is shortened');
        }
        // Every link of ours names a period: the page's own, or the picker's choice.
        const period = new URL(`${web.base}${path}`).search;
        for (const l of seen.links) assert.ok(l.endsWith(period) || /\?period=(7d|30d|90d|all)$/.test(l), `${l} does not carry ${period}`);
        assert.ok(seen.links.some((l) => l.endsWith(period) && l !== path), `no link carries ${period}`);
      } finally {
        await page.close();
      }
    }
  });

  it('the period picker is plain links that work', async () => {
    const { page, problems } = await visit('/domains/example.com?period=all', 1280);
    try {
      await page.click('nav.period a[href$="period=7d"]');
      await page.waitForURL(/period=7d$/);
      assert.equal(await page.locator('nav.period a.current').innerText(), '7d');
      await page.click('a.home');
      await page.waitForURL(/\/\?period=7d$/);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });
});
