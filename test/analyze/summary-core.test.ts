/**
 * The pure summary core: periods, daily buckets, organisation naming, the DMARC record reader
 * and the builder's reporter logic. Fakes only for plain data; the end-to-end numbers are in
 * test/jobs/summary.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { aggregateWindows } from '../../src/analyze/summary/aggregate.js';
import { dailyShares, shareIn } from '../../src/analyze/summary/buckets.js';
import { effectiveEnd } from '../../src/report/date-range.js';
import { buildSummary } from '../../src/analyze/summary/build.js';
import { parseDmarcRecord } from '../../src/dmarc/record.js';
import { policyTags } from '../../src/dmarc/policy-tags.js';
import { organisationNamer } from '../../src/analyze/summary/organisations.js';
import { DAY, parseSummaryPeriod, previousPeriod, type Period } from '../../src/report/period.js';
import type { SourceRow } from '../../src/analyze/summary/types.js';
import { FLAG, kindOf } from '../../src/store/summary-rows.js';
import { UsageError } from '../../src/errors.js';

const at = (iso: string): number => Date.parse(iso) / 1000;
/** A bounded summary period (`all` is null, below). */
const parsePeriod = (text: string, now: number): Period => {
  const period = parseSummaryPeriod(text, now);
  assert.ok(period !== null, text);
  return period;
};

describe('summary periods', () => {
  it('last-week is the previous Monday to Sunday, UTC, from any day of this week', () => {
    const want = { begin: at('2026-11-23T00:00:00Z'), end: at('2026-11-30T00:00:00Z'), label: 'last-week' };
    assert.deepEqual(parsePeriod('last-week', at('2026-11-30T08:00:00Z')), want); // Monday morning
    assert.deepEqual(parsePeriod('last-week', at('2026-12-06T23:59:59Z')), want); // the Sunday after
    assert.deepEqual(parsePeriod('last-week', at('2026-11-29T12:00:00Z')).begin, at('2026-11-16T00:00:00Z'));
  });

  it('Nd is the last N complete days; A..B is inclusive', () => {
    const now = at('2026-11-30T08:00:00Z');
    assert.deepEqual(parsePeriod('7d', now), { begin: at('2026-11-23T00:00:00Z'), end: at('2026-11-30T00:00:00Z'), label: '7d' });
    assert.equal(parsePeriod('30d', now).begin, at('2026-10-31T00:00:00Z'));
    assert.deepEqual(parsePeriod('2026-11-01..2026-11-07', now), { begin: at('2026-11-01T00:00:00Z'), end: at('2026-11-08T00:00:00Z'), label: '2026-11-01..2026-11-07' });
    assert.deepEqual(previousPeriod(parsePeriod('2026-11-01..2026-11-07', now)), { begin: at('2026-10-25T00:00:00Z'), end: at('2026-11-01T00:00:00Z'), label: 'previous-1' });
  });

  it('rejects what it cannot read with a one-line usage error naming --period', () => {
    for (const bad of ['yesterday', '0d', '2026-11-07..2026-11-01', '2026-02-30..2026-03-01']) {
      assert.throws(() => parseSummaryPeriod(bad, 0), (e: unknown) => e instanceof UsageError && e.message.startsWith(`--period "${bad}": `) && !e.message.includes('\n'));
    }
  });

  it('all is everything stored (null: the summary job finds the bounds)', () => {
    assert.equal(parseSummaryPeriod('all', 0), null);
  });
});

describe('daily buckets', () => {
  it('splits a three-day report by largest remainder, ties to the earlier day', () => {
    const begin = at('2026-11-28T00:00:00Z');
    const end = begin + 3 * DAY - 1;
    // 10 / 3 = 3.33 per day: floors 3 + 3 + 3 = 9, the one left over goes to the first day.
    assert.deepEqual(dailyShares(10, begin, end).map((s) => s.count), [4, 3, 3]);
    // 90 / 3 = 30 exactly.
    assert.deepEqual(dailyShares(90, begin, end).map((s) => s.count), [30, 30, 30]);
    assert.equal(shareIn(10, begin, end, begin, begin + 2 * DAY), 7);
    assert.equal(shareIn(10, begin, end, begin + 2 * DAY, begin + 3 * DAY), 3);
  });

  it('weights partial days by their seconds', () => {
    // 12:00 on day 1 to 23:59:59 on day 2: a third of the span on day 1, two thirds on day 2.
    const begin = at('2026-11-01T12:00:00Z');
    assert.deepEqual(dailyShares(9, begin, at('2026-11-02T23:59:59Z')).map((s) => s.count), [3, 6]);
  });

  it('reads an end on a midnight as the second before it', () => {
    const begin = at('2026-11-25T00:00:00Z');
    assert.equal(effectiveEnd(begin, begin + DAY), begin + DAY - 1);
    assert.equal(effectiveEnd(begin, begin + DAY - 1), begin + DAY - 1);
    assert.equal(effectiveEnd(begin, begin - 5), begin, 'an inverted range is one instant');
  });

  it('day shares always add up to the count, and periods that tile the range add up too (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 40 * DAY }),
        fc.integer({ min: 0, max: 9 * DAY }),
        fc.integer({ min: 1, max: 10 }),
        (count, offset, length, cut) => {
          const begin = at('2026-01-01T00:00:00Z') + offset;
          const end = begin + length;
          const shares = dailyShares(count, begin, end);
          assert.equal(shares.reduce((n, s) => n + s.count, 0), count);
          assert.ok(shares.every((s) => s.count >= 0));
          const split = Math.floor(begin / DAY) * DAY + cut * DAY;
          assert.equal(shareIn(count, begin, end, 0, split) + shareIn(count, begin, end, split, 2 ** 40), count);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('aggregating records into periods', () => {
  const IPS = new Map([[1, '192.0.2.1'], [2, '192.0.2.2'], [3, '192.0.2.3'], [70_000, '2001:db8::1']]);
  const ipsOf = (ids: readonly number[]) => new Map(ids.map((id) => [id, IPS.get(id) ?? `unknown ${id}`]));
  const byIp = (rows: readonly SourceRow[] | undefined) =>
    Object.fromEntries((rows ?? []).map((r) => [`${r.domain} ${r.ip}`, [r.messages, r.dmarcPass, r.dkimPass, r.spfPass, r.quarantine, r.reject]]));
  const week1 = { from: at('2026-11-23T00:00:00Z'), to: at('2026-11-30T00:00:00Z') };
  const week0 = { from: week1.from - 7 * DAY, to: week1.from };
  /** Records as [source id, count, FLAG bits], packed as the store reads them. */
  const packed = (records: readonly (readonly [number, number, number])[]) => records.map(([source, count, flags]) => [kindOf(source, flags), count] as const);

  it('adds reports inside a period whole and splits a straddling one per kind of message', () => {
    const inside = {
      domain: 'example.com', begin: week1.from, end: week1.from + DAY - 1,
      records: packed([[1, 5, FLAG.dkim | FLAG.spf], [1, 2, FLAG.quarantine], [2, 1, FLAG.spf]]),
    };
    // Sunday 2026-11-22 and Monday 2026-11-23: half in each week.
    const straddling = {
      domain: 'example.com', begin: week1.from - DAY, end: week1.from + DAY - 1,
      records: packed([[1, 3, FLAG.dkim], [1, 4, FLAG.dkim], [3, 1, FLAG.reject]]),
    };
    const [now, before] = aggregateWindows([inside, straddling], [week1, week0], ipsOf);
    // 192.0.2.1 DKIM-only in the straddling report: 3 + 4 = 7 → 3.5 a day → 4 (Sunday, earlier day wins the tie) + 3.
    // 192.0.2.3: 1 reject → 0.5 a day → Sunday.
    assert.deepEqual(byIp(now), { 'example.com 192.0.2.1': [5 + 2 + 3, 5 + 3, 5 + 3, 5, 2, 0], 'example.com 192.0.2.2': [1, 1, 0, 1, 0, 0] });
    assert.deepEqual(byIp(before), { 'example.com 192.0.2.1': [4, 4, 4, 0, 0, 0], 'example.com 192.0.2.3': [1, 0, 0, 0, 0, 1] });
  });

  it('keeps domains apart whatever order their reports come in, with large ids and records of count 0', () => {
    const day = (domain: string, records: readonly (readonly [number, number, number])[]) => ({ domain, begin: week1.from, end: week1.from + DAY - 1, records: packed(records) });
    const reports = [
      day('example.com', [[1, 2, FLAG.dkim]]),
      day('example.org', [[1, 5, 0], [70_000, 1, FLAG.spf]]),
      day('example.com', [[1, 3, FLAG.spf], [2, 0, 0]]),
      day('example.org', [[70_000, 2, FLAG.dkim]]),
    ];
    const [now, before] = aggregateWindows(reports, [week1, week0], ipsOf);
    assert.deepEqual(byIp(now), {
      'example.com 192.0.2.1': [5, 5, 2, 3, 0, 0],
      'example.com 192.0.2.2': [0, 0, 0, 0, 0, 0],
      'example.org 192.0.2.1': [5, 0, 0, 0, 0, 0],
      'example.org 2001:db8::1': [3, 3, 2, 1, 0, 0],
    });
    assert.deepEqual(before, []);
  });

  it('gives the same sums as adding every day share of every record by hand (property)', () => {
    const record = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 15 }));
    const report = fc.record({
      domain: fc.constantFrom('a.example', 'b.example'),
      begin: fc.integer({ min: week0.from - 2 * DAY, max: week1.to + DAY }),
      length: fc.integer({ min: 0, max: 3 * DAY }),
      records: fc.array(record, { maxLength: 6 }),
    });
    fc.assert(
      fc.property(fc.array(report, { maxLength: 8 }), (drawn) => {
        const reports = drawn.map((r) => ({ domain: r.domain, begin: r.begin, end: r.begin + r.length, records: r.records }));
        const stored = reports.map((r) => ({ ...r, records: packed(r.records) }));
        const windows = [week1, week0];
        const got = aggregateWindows(stored, windows, ipsOf).map(byIp);
        const want = windows.map((w) => {
          // Per report, per (source, kind): the kind's count split into day shares (buckets.ts).
          const sums: Record<string, number[]> = {};
          for (const r of reports) {
            if (r.end < w.from || r.begin >= w.to) continue;
            const kinds = new Map<string, number>();
            for (const [source, count, flags] of r.records) kinds.set(`${source} ${flags}`, (kinds.get(`${source} ${flags}`) ?? 0) + count);
            for (const [key, count] of kinds) {
              const [source, flags] = key.split(' ').map(Number) as [number, number];
              const share = shareIn(count, r.begin, r.end, w.from, w.to);
              const inside = r.begin >= w.from && r.end < w.to;
              if (share === 0 && !inside) continue;
              const s = (sums[`${r.domain} ${IPS.get(source)}`] ??= [0, 0, 0, 0, 0, 0]) as [number, number, number, number, number, number];
              s[0] += share;
              if (flags & (FLAG.dkim | FLAG.spf)) s[1] += share;
              if (flags & FLAG.dkim) s[2] += share;
              if (flags & FLAG.spf) s[3] += share;
              if (flags & FLAG.quarantine) s[4] += share;
              if (flags & FLAG.reject) s[5] += share;
            }
          }
          return sums;
        });
        assert.deepEqual(got, want);
      }),
      { numRuns: 300 },
    );
  });
});

describe('organisation naming', () => {
  const name = organisationNamer([
    { name: 'Newsletter Co', ips: ['203.0.113.0/28'], ptr: [], dkim: [] },
    { name: 'SendGrid', ips: [], ptr: ['sendgrid.net'], dkim: ['sendgrid.net'] },
  ]);

  it('uses our services first: by IP range, then by PTR suffix', () => {
    assert.deepEqual(name('203.0.113.7', 'mail-sor-f41.google.com'), { name: 'Newsletter Co', kind: 'service' });
    assert.deepEqual(name('::ffff:203.0.113.7', null), { name: 'Newsletter Co', kind: 'service' });
    assert.deepEqual(name('198.51.100.1', 'o1.ptr1234.sendgrid.net'), { name: 'SendGrid', kind: 'service' });
    // A range written IPv4-mapped covers the IPv4 sources, as it does for the classifier.
    assert.deepEqual(organisationNamer([{ name: 'Mapped', ips: ['::ffff:192.0.2.0/120'], ptr: [], dkim: [] }])('192.0.2.7', null), { name: 'Mapped', kind: 'service' });
  });

  it('then the built-in map by base domain (Public Suffix List), then the base domain', () => {
    assert.deepEqual(name('198.51.100.2', 'mail-sor-f41.google.com'), { name: 'Google', kind: 'service' });
    assert.deepEqual(name('198.51.100.3', 'a48-93.smtp-out.amazonses.com.'), { name: 'Amazon SES', kind: 'service' });
    assert.deepEqual(name('198.51.100.4', 'mail-db8eur05on2101.outbound.protection.outlook.com'), { name: 'Microsoft', kind: 'service' });
    assert.deepEqual(name('198.51.100.5', 'mx1.mail.example.co.uk'), { name: 'example.co.uk', kind: 'domain' });
    assert.equal(name('198.51.100.6', null), null);
    assert.equal(name('198.51.100.7', 'localhost'), null);
  });
});

describe('published DMARC record', () => {
  it('reads p, sp, np, pct and t as a summary shows them', () => {
    assert.deepEqual(policyTags(parseDmarcRecord('v=DMARC1; p=Quarantine; sp=reject; np=reject; pct=50; t=y; rua=mailto:d@example.com')), {
      p: 'quarantine', sp: 'reject', np: 'reject', pct: 50, testing: 'y',
    });
    assert.deepEqual(policyTags(parseDmarcRecord('v=DMARC1;p=none')), { p: 'none', sp: null, np: null, pct: null, testing: null });
    // An invalid p= is shown as written; an invalid sp= is ignored, as receivers ignore it.
    assert.deepEqual(policyTags(parseDmarcRecord('v=DMARC1; p=Block; sp=maybe')), { p: 'block', sp: null, np: null, pct: null, testing: null });
  });
});

describe('reporters', () => {
  const period = { begin: at('2026-11-23T00:00:00Z'), end: at('2026-11-30T00:00:00Z'), label: 'last-week' };
  const week = 7 * DAY;
  const span = (reporter: string, weeksBack: number) => ({
    domain: 'example.com', reporter, begin: period.begin - weeksBack * week, end: period.begin - weeksBack * week + DAY - 1, messages: 10,
  });
  const summary = (reports: ReturnType<typeof span>[]) =>
    buildSummary({
      period, previous: { begin: period.begin - week, end: period.begin }, generatedAt: period.end, latestReportEnd: null, domains: ['example.com'],
      current: [], previousRows: [], reports, lookback: 4, seen: new Map(), published: new Map(), names: new Map(),
      organisationFor: () => () => null, classOf: () => null, days: new Map(),
    }).domains[0]!;

  it('a reporter seen in 2 or more of the previous 4 periods and not now is silent', () => {
    const d = summary([span('A', 0), span('B', 1), span('B', 3), span('C', 2), span('D', 5), span('D', 6), span('A', 1), span('A', 2)]);
    assert.deepEqual(d.reporters.map((r) => r.name), ['A']);
    assert.deepEqual(d.silentReporters, [{ name: 'B', periodsSeen: 2, periodsLookedAt: 4 }]);
  });
});
