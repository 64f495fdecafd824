/**
 * Report periods as the command line names them (`--period`): pure, with the time passed in, so
 * `ruaflow sources` and the weekly summary read the same words the same way.
 *
 *   all              everything stored (no bound)
 *   last-week        the previous full week, Monday 00:00:00 to Sunday 23:59:59 UTC (ISO 8601 weeks)
 *   Nd               the last N complete UTC days, today not included (7d, 30d; 1-3660): reports
 *                    cover whole UTC days (RFC 9990 §3.1), so a partial today would only dilute
 *   A..B             from day A 00:00:00 to day B 23:59:59 UTC (YYYY-MM-DD..YYYY-MM-DD)
 *   A                one day (YYYY-MM-DD)
 *
 * Bounds are epoch seconds and both inclusive, the convention of a report's `date_range`
 * (RFC 7489 App. C: begin and end of the reporting period; reporters write end as 23:59:59).
 * A report belongs to a period when its date range intersects it (`overlaps`); splitting a
 * report's counts over the days it spans is the summary's business, not this module's.
 */
import type { Clock } from '../ports/clock.js';
import { MAX_PERIOD_DAYS as MAX_DAYS } from '../limits.js';

export interface Period {
  /** What the user wrote, normalised (`last-week`, `7d`, `2026-11-01..2026-11-30`, `all`). */
  readonly label: string;
  /** First second, epoch seconds UTC; null: unbounded (`all`). */
  readonly begin: number | null;
  /** Last second (inclusive), epoch seconds UTC; null: unbounded (`all`). */
  readonly end: number | null;
}

export type PeriodResult = { readonly ok: true; readonly period: Period } | { readonly ok: false; readonly message: string };

export const PERIOD_FORMS = 'last-week, 7d, 30d (any Nd), YYYY-MM-DD..YYYY-MM-DD, YYYY-MM-DD or all';

const DAY = 86_400;

export const ALL_TIME: Period = { label: 'all', begin: null, end: null };

/** `text` → a period, or a message saying what was expected (a result, not a throw). */
export function parsePeriod(text: string, clock: Clock): PeriodResult {
  const word = text.trim().toLowerCase();
  const now = clock.now();
  if (word === 'all') return { ok: true, period: ALL_TIME };
  if (word === 'last-week') {
    // ISO 8601 weeks start on Monday; getUTCDay() is 0 for Sunday.
    const today = Math.floor(now / DAY) * DAY;
    const weekday = (new Date(today * 1000).getUTCDay() + 6) % 7;
    const thisMonday = today - weekday * DAY;
    return { ok: true, period: { label: 'last-week', begin: thisMonday - 7 * DAY, end: thisMonday - 1 } };
  }
  const days = /^(\d{1,5})d$/.exec(word);
  if (days !== null) {
    const n = Number(days[1]);
    if (n < 1 || n > MAX_DAYS) return fail(text, `the number of days must be 1-${MAX_DAYS}`);
    const today = Math.floor(now / DAY) * DAY;
    return { ok: true, period: { label: `${n}d`, begin: today - n * DAY, end: today - 1 } };
  }
  const range = /^(\S+?)\.\.(\S+)$/.exec(word);
  const [first, last] = range === null ? [word, word] : [range[1] ?? '', range[2] ?? ''];
  const begin = dayStart(first);
  const lastDay = dayStart(last);
  if (begin === null || lastDay === null) {
    if (range === null && !/^\d/.test(word)) return fail(text, 'unknown period');
    return fail(text, `${begin === null ? first : last} is not a date YYYY-MM-DD`);
  }
  if (lastDay < begin) return fail(text, `${last} is before ${first}`);
  const label = first === last ? first : `${first}..${last}`;
  return { ok: true, period: { label, begin, end: lastDay + DAY - 1 } };
}

/** Does a report covering [begin, end] (inclusive) intersect the period? */
export function overlaps(period: Period, begin: number, end: number): boolean {
  return (period.end === null || begin <= period.end) && (period.begin === null || end >= period.begin);
}

function fail(text: string, why: string): PeriodResult {
  return { ok: false, message: `--period ${JSON.stringify(text)}: ${why}; expected ${PERIOD_FORMS}` };
}

/** `2026-11-30` → epoch seconds of its 00:00:00 UTC, or null when it is not a real date. */
export function dayStart(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m === null) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  // Date.UTC rolls 2026-02-30 over to March: a date that does not round-trip does not exist.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / 1000;
}
