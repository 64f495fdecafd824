import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dayPeriod, overlaps, parsePeriod, parseReportDay, type Period } from '../../src/report/period.js';

const at = (iso: string) => Date.parse(iso) / 1000;
const iso = (epoch: number) => new Date(epoch * 1000).toISOString();

function period(text: string, now = '2026-11-30T08:42:26Z'): Period {
  const result = parsePeriod(text, at(now));
  if (!result.ok) assert.fail(result.message);
  if (result.period === null) assert.fail(`${text}: all time`);
  return result.period;
}

describe('parsePeriod', () => {
  it('last-week is the previous Monday to Sunday, UTC, end exclusive', () => {
    // 2026-11-30 is a Monday: last week is 23..29 November.
    const p = period('last-week');
    assert.deepEqual([iso(p.begin), iso(p.end)], ['2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z']);
    // On a Sunday evening, the week before the current one.
    const s = period('last-week', '2026-12-06T23:59:59Z');
    assert.deepEqual([iso(s.begin), iso(s.end)], ['2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z']);
    const t = period('LAST-WEEK', '2026-12-07T00:00:00Z');
    assert.deepEqual([iso(t.begin), iso(t.end)], ['2026-11-30T00:00:00.000Z', '2026-12-07T00:00:00.000Z']);
  });

  it('Nd is the last N complete UTC days, today not included', () => {
    const p = period('7d');
    assert.deepEqual([iso(p.begin), iso(p.end), p.label], ['2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z', '7d']);
    assert.equal(period('30d').begin, Date.parse('2026-10-31T00:00:00Z') / 1000);
  });

  it('A..B and a single day are whole UTC days, the last day included', () => {
    const p = period('2026-11-01..2026-11-30');
    assert.deepEqual([iso(p.begin), iso(p.end), p.label], ['2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z', '2026-11-01..2026-11-30']);
    const d = period('2024-02-29');
    assert.deepEqual([iso(d.begin), iso(d.end)], ['2024-02-29T00:00:00.000Z', '2024-03-01T00:00:00.000Z']);
  });

  it('all has no bounds', () => {
    assert.deepEqual(parsePeriod('all', 0), { ok: true, period: null });
  });

  it('says what is wrong and what it expected', () => {
    const cases: [string, RegExp][] = [
      ['yesterday-ish', /unknown period; expected last-week, 7d/],
      ['2026-02-30', /2026-02-30 is not a date YYYY-MM-DD/],
      ['2026-11-30..2026-11-01', /2026-11-01 is before 2026-11-30/],
      ['2026-11-01..soon', /soon is not a date/],
      ['0d', /number of days must be 1-3660/],
      ['99999d', /number of days/],
    ];
    for (const [text, message] of cases) {
      const result = parsePeriod(text, at('2026-11-30T00:00:00Z'));
      assert.equal(result.ok, false, text);
      if (!result.ok) assert.match(result.message, message);
    }
  });
});

describe('overlaps', () => {
  const week = { label: 'w', begin: 1000, end: 2000 };
  it('counts a report whose range intersects the period, edges included', () => {
    assert.equal(overlaps(week, 0, 1000), true);
    assert.equal(overlaps(week, 1999, 3000), true);
    assert.equal(overlaps(week, 0, 999), false);
    assert.equal(overlaps(week, 2000, 3000), false);
    assert.equal(overlaps(null, 0, 1), true);
  });
});

describe('parseReportDay', () => {
  it('yesterday and a date that has ended are one UTC day, labelled by its date', () => {
    const now = at('2026-11-30T08:45:00Z');
    assert.deepEqual(parseReportDay('yesterday', now), { label: '2026-11-29', begin: at('2026-11-29T00:00:00Z'), end: at('2026-11-30T00:00:00Z') });
    assert.deepEqual(parseReportDay('2026-11-29', at('2026-11-30T00:00:00Z')), dayPeriod(at('2026-11-29T12:00:00Z')));
    assert.equal(parseReportDay('2026-11-30', at('2026-11-30T23:59:59Z')), null, 'a day still running');
  });
});
