/**
 * The HTML summary in a real browser (Debian's chromium, driven by playwright-core): it lays
 * out at a phone width (375 px) and a desktop width (1024 px) without horizontal overflow, its
 * bars have the widths their numbers say, and it loads nothing from outside the page.
 * Screenshots of both widths go to a temporary folder (set RUAFLOW_SCREENSHOTS=DIR to keep them).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import type { Summary } from '../../src/analyze/summary/types.js';
import { renderSummaryHtml } from '../../src/deliver/summary-html.js';
import { ruaflow } from '../helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const FIXTURES = fileURLToPath(new URL('../fixtures/summary/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ruaflow-summary-html-'));
const shots = process.env['RUAFLOW_SCREENSHOTS'] ?? join(dir, 'screenshots');
const page = join(dir, 'summary.html');
const longPage = join(dir, 'long-names.html');
let browser: Browser;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)`);
  const db = join(dir, 'r.sqlite');
  assert.equal((await ruaflow(['ingest', '--db', db, FIXTURES])).code, 0);
  const r = await ruaflow(['summary', '--db', db, '--offline', '--period', '2026-11-23..2026-11-29', '--format', 'html', '--out', page]);
  assert.equal(r.code, 0, r.stderr);
  writeFileSync(longPage, renderSummaryHtml(longNames()));
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The worst a phone has to show: full-length IPv6 addresses, long PTR names and fixes. */
function longNames(): Summary {
  const counts = { messages: 123456, dmarcPass: 100000, dkimPass: 99000, spfPass: 98000, disposition: { none: 123456, quarantine: 0, reject: 0 } };
  const source = (i: number) => ({
    ...counts,
    ip: `2001:db8:ffff:ffff:ffff:ffff:ffff:${i.toString(16).padStart(4, '0')}`,
    ptr: `outbound-mail-relay-${i}.eu-central-1.very-long-subdomain-name.mail-service-provider.example.net`,
    organisation: 'very-long-subdomain-name-without-breaks.mail-service-provider.example.net',
    organisationKind: 'domain' as const,
    isNew: true,
    correlation: { class: 'service-fail', fix: 'set up DKIM for TheServiceWithAnExtremelyLongNameThatDoesNotBreakAnywhere with d=a-very-long-policy-domain-name.example.com' },
  });
  return {
    period: { begin: 1795392000, end: 1795996800, label: 'last-week' },
    previous: { begin: 1794787200, end: 1795392000 },
    generatedAt: 1796025600,
    latestReportEnd: 1795996799,
    domains: [{
      domain: 'a-very-long-policy-domain-name-for-a-narrow-screen.subdomain.example.com',
      ...counts,
      previous: counts,
      organisations: [{ name: 'very-long-subdomain-name-without-breaks.mail-service-provider.example.net', kind: 'domain', messages: 123456, dmarcPass: 100000, sources: 3 }],
      sources: [source(1), source(2), source(3)],
      reporters: [{ name: 'a-reporter-with-a-long-organisation-name.example.org', reports: 12, messages: 123456 }],
      silentReporters: [{ name: 'another-reporter-with-a-long-name.example.org', periodsSeen: 4, periodsLookedAt: 4 }],
      // Inherited from the organisational domain: the longest policy line there is.
      published: { p: 'none', sp: 'quarantine', np: 'reject', pct: 50, testing: 'y', source: 'dns', recordDomain: 'example.com', via: 'domain', applies: 'sp', policy: 'quarantine' },
      seen: [{ p: 'quarantine', sp: null, np: null, pct: null, testing: null, reports: 12, messages: 123456 }],
      readiness: { hurt: 23456, forwarded: 1000, spoof: 20000, ours: 2000, services: 1000, unclassified: 456, messages: 123456 },
      // A month of days with six-digit volumes: the widest the chart gets.
      days: Array.from({ length: 31 }, (_, i) => ({ day: 1795392000 - (30 - i) * 86400, messages: 100000 + i * 1234, dmarcPass: 99000 + i * 1000 })),
    }],
  };
}

/** The chart's day labels, its text and its right edge, read off the page. */
async function chartOf(tab: import('playwright-core').Page): Promise<{ labels: string[]; text: string; right: number; busiest: number }> {
  return tab.evaluate(() => {
    const heading = [...document.querySelectorAll('div')].find((e) => e.textContent?.startsWith('Per day'));
    const table = heading?.nextElementSibling as HTMLTableElement | null;
    const rows = table === null || table === undefined ? [] : [...table.rows];
    const bars = rows.map((r) => r.cells[1]?.querySelector('td')?.getBoundingClientRect().width ?? 0);
    return {
      labels: rows.map((r) => r.cells[0]?.textContent ?? ''),
      text: (table as HTMLElement | null)?.innerText ?? '',
      right: table?.getBoundingClientRect().right ?? Infinity,
      busiest: Math.max(0, ...bars),
    };
  });
}

describe('summary HTML in Chromium', () => {
  it('keeps long addresses, names and fixes inside a 375 px screen', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 900 } });
    const tab = await context.newPage();
    await tab.goto(pathToFileURL(longPage).href, { waitUntil: 'load' });
    const layout = await tab.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    assert.ok(layout.scrollWidth <= layout.innerWidth, `scrollWidth ${layout.scrollWidth} > viewport ${layout.innerWidth}`);
    await tab.screenshot({ path: join(shots, 'long-names-375.png'), fullPage: true });
    await context.close();
  });

  it('reads the same with images off: the chart is table cells and text', async () => {
    const noImages = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--blink-settings=imagesEnabled=false', '--no-first-run'],
    });
    try {
      const tab = await noImages.newPage({ viewport: { width: 375, height: 900 } });
      await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
      const chart = await chartOf(tab);
      assert.equal(chart.labels.length, 7);
      assert.match(chart.text, /Sat 11-28\s+34 · 88\.2%/); // 30 of 34 pass
      assert.ok(chart.busiest > 50, `the busiest day's bar is ${chart.busiest} px wide`);
      await tab.screenshot({ path: join(shots, 'summary-375-no-images.png'), fullPage: true });
    } finally {
      await noImages.close();
    }
  });

  for (const width of [375, 1024]) {
    it(`lays out at ${width} px without overflow and loads nothing from outside`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const tab = await context.newPage();
      const requests: string[] = [];
      tab.on('request', (req) => requests.push(req.url()));
      await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
      const layout = await tab.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        scripts: document.scripts.length,
        images: document.images.length,
        // The first bar under the headline: its green cell against the whole bar.
        bar: (() => {
          const cell = document.querySelector('td[style*="#2e7d32"]');
          const row = cell?.parentElement;
          return cell && row ? cell.getBoundingClientRect().width / row.getBoundingClientRect().width : null;
        })(),
      }));
      assert.ok(layout.scrollWidth <= layout.innerWidth, `scrollWidth ${layout.scrollWidth} > viewport ${layout.innerWidth}`);
      assert.equal(layout.scripts, 0);
      assert.equal(layout.images, 0);
      assert.deepEqual(requests.filter((u) => !u.startsWith('file:')), []);
      // example.com: 177 of 224 pass = 79 % of the bar is green.
      assert.ok(layout.bar !== null && Math.abs(layout.bar - 0.79) < 0.02, `green share ${layout.bar}`);
      // The per-day chart (issue 12 #18): seven rows, the numbers as text, inside the screen.
      const chart = await chartOf(tab);
      assert.deepEqual(chart.labels, ['Mon 11-23', 'Tue 11-24', 'Wed 11-25', 'Thu 11-26', 'Fri 11-27', 'Sat 11-28', 'Sun 11-29']);
      assert.match(chart.text, /Mon 11-23\s+150 · 73\.3%/); // 110 of 150 pass
      assert.ok(chart.right <= width, `chart ends at ${chart.right} px`);
      const shot = join(shots, `summary-${width}.png`);
      await tab.screenshot({ path: shot, fullPage: true });
      assert.ok(statSync(shot).size > 10_000);
      await context.close();
    });
  }
});
