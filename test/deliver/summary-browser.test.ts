/**
 * The HTML summary in a real browser (Debian's chromium, driven by playwright-core): it lays
 * out at a phone width (375 px) and a desktop width (1024 px) without horizontal overflow, its
 * bars have the widths their numbers say, and it loads nothing from outside the page.
 * Screenshots of both widths go to a temporary folder (set RUAFLOW_SCREENSHOTS=DIR to keep them).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { ruaflow } from '../helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const FIXTURES = fileURLToPath(new URL('../fixtures/summary/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ruaflow-summary-html-'));
const shots = process.env['RUAFLOW_SCREENSHOTS'] ?? join(dir, 'screenshots');
const page = join(dir, 'summary.html');
let browser: Browser;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)`);
  const db = join(dir, 'r.sqlite');
  assert.equal((await ruaflow(['ingest', '--db', db, FIXTURES])).code, 0);
  const r = await ruaflow(['summary', '--db', db, '--offline', '--period', '2026-11-23..2026-11-29', '--format', 'html', '--out', page]);
  assert.equal(r.code, 0, r.stderr);
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

describe('summary HTML in Chromium', () => {
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
      const shot = join(shots, `summary-${width}.png`);
      await tab.screenshot({ path: shot, fullPage: true });
      assert.ok(statSync(shot).size > 10_000);
      await context.close();
    });
  }
});
