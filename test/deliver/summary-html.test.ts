/**
 * Issue 12 #18, the pure part: the HTML summary colours the pass rate by thresholds (src/limits.ts
 * SUMMARY_PASS_RATE_GOOD / _FAIR), not red at the first failing message, and carries a per-day
 * chart made of table cells with each day's numbers as text (readable with images off). The
 * layout in a real browser is test/deliver/summary-browser.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSummary } from '../../src/analyze/summary/build.js';
import type { SourceRow } from '../../src/analyze/summary/types.js';
import { renderSummaryHtml } from '../../src/deliver/summary-html.js';
import { summaryJson } from '../../src/deliver/summary-json.js';
import { DAY } from '../../src/report/period.js';

const period = { begin: 1795392000, end: 1795392000 + 7 * DAY, label: 'last-week' };
const GREEN = '#2e7d32';
const AMBER = '#b26a00';
const RED = '#c62828';

function html(messages: number, dmarcPass: number, days = [] as { day: number; messages: number; dmarcPass: number }[]) {
  const rows: SourceRow[] = [{ domain: 'example.com', ip: '192.0.2.10', messages, dmarcPass, dkimPass: dmarcPass, spfPass: 0, quarantine: 0, reject: 0 }];
  const summary = buildSummary({
    period, previous: { begin: period.begin - 7 * DAY, end: period.begin }, generatedAt: period.end, latestReportEnd: period.end - 1,
    domains: ['example.com'], current: rows, previousRows: [], reports: [], lookback: 4, seen: new Map(), published: new Map(),
    names: new Map(), organisationFor: () => () => null, classOf: () => null, days: new Map([['example.com', days]]),
  });
  return { page: renderSummaryHtml(summary), json: summaryJson(summary) };
}

/** The colour of the headline pass rate (the 24 px figure beside the message count). */
const headline = (page: string): string | undefined => /font-size:24px;font-weight:bold;color:(#[0-9a-f]{6})">[\d.]+%</.exec(page)?.[1];

describe('summary HTML: pass-rate colour and the per-day chart', () => {
  it('colours 99.6 % green, 96 % amber and 90 % red', () => {
    assert.equal(headline(html(1000, 996).page), GREEN);
    assert.equal(headline(html(1000, 960).page), AMBER);
    assert.equal(headline(html(1000, 900).page), RED);
  });

  it('draws one chart row per day with its volume and pass rate as text', () => {
    const days = [
      { day: period.begin, messages: 1234, dmarcPass: 1229 },
      { day: period.begin + DAY, messages: 0, dmarcPass: 0 },
      { day: period.begin + 2 * DAY, messages: 600, dmarcPass: 540 },
    ];
    const { page, json } = html(1834, 1769, days);
    const chart = page.slice(page.indexOf('Per day'));
    assert.ok(page.includes('Per day'), 'chart heading');
    assert.match(chart, /Mon 11-23[\s\S]*?1,234[\s\S]*?99\.6%/);
    assert.match(chart, /Tue 11-24[\s\S]*?no reports/);
    assert.match(chart, /Wed 11-25[\s\S]*?600[\s\S]*?90\.0%/);
    assert.doesNotMatch(page, /<img|<svg|<script/i, 'a table-based chart: nothing for a mail client to block');
    assert.deepEqual(json.domains[0]!.days, [
      { day: period.begin, messages: 1234, dmarc_pass: 1229 },
      { day: period.begin + DAY, messages: 0, dmarc_pass: 0 },
      { day: period.begin + 2 * DAY, messages: 600, dmarc_pass: 540 },
    ]);
  });
});
