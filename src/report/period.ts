/**
 * Periods of whole UTC days, pure, with the time passed in: the one reading of the `--period`
 * words that `ruaflow sources`, `ruaflow summary` and `ruaflow send-reports` accept.
 *
 *   all              everything stored (no bound; `sources`, and `summary` with no previous period)
 *   last-week        the previous full week, Monday 00:00 to the next Monday 00:00 UTC (ISO 8601 weeks)
 *   Nd               the last N complete UTC days, today not included (7d, 30d; 1-3660): reports
 *                    cover whole UTC days (RFC 9990 §3.1), so a partial today would only dilute
 *   A..B             from day A 00:00 UTC to the end of day B (YYYY-MM-DD..YYYY-MM-DD)
 *   A                one day (YYYY-MM-DD)
 *   yesterday        the UTC day before the current one (`send-reports` only)
 *
 * A report's own `date_range` is inclusive (RFC 7489 App. C: reporters write end as 23:59:59);
 * a Period is half-open, so lengths, "the period before" and daily buckets need no ±1. Where a
 * period is written as a date range (a report we send, `sources` output), its last second is
 * `end - 1`.
 */
import { UsageError } from '../errors.js';
import { MAX_PERIOD_DAYS as MAX_DAYS } from '../limits.js';

/** Seconds in a UTC day (UTC days have no leap seconds in epoch time). */
export const DAY = 86_400;

/** A span of whole UTC days: [begin, end) in epoch seconds. */
export interface Period {
  /** What names it: `last-week`, `7d`, `2026-11-01..2026-11-30`, or the day `2026-11-30`. */
  readonly label: string;
  /** First second, epoch seconds UTC (00:00:00 of a day). */
  readonly begin: number;
  /** The first second after the period (00:00:00 of the day after its last day): exclusive. */
  readonly end: number;
}

/** A `--period` reading: a period, or null for `all` (everything stored, no bounds). */
export type PeriodResult = { readonly ok: true; readonly period: Period | null } | { readonly ok: false; readonly message: string };

export const PERIOD_FORMS = 'last-week, 7d, 30d (any Nd), YYYY-MM-DD..YYYY-MM-DD, YYYY-MM-DD or all';


/** 00:00:00 UTC of the day holding `epoch`. */
const midnight = (epoch: number): number => Math.floor(epoch / DAY) * DAY;

/** `text` → a period (null: `all`), or a message saying what was expected: a result, not a throw.
 * `name` opens the message: how the caller's user wrote the period (the CLI's `--period `). */
export function parsePeriod(text: string, now: number, name = '--period '): PeriodResult {
  const word = text.trim().toLowerCase();
  if (word === 'all') return { ok: true, period: null };
  if (word === 'last-week') {
    // ISO 8601 weeks start on Monday; getUTCDay() is 0 for Sunday.
    const today = midnight(now);
    const weekday = (new Date(today * 1000).getUTCDay() + 6) % 7;
    const thisMonday = today - weekday * DAY;
    return { ok: true, period: { label: 'last-week', begin: thisMonday - 7 * DAY, end: thisMonday } };
  }
  const days = /^(\d{1,5})d$/.exec(word);
  if (days !== null) {
    const n = Number(days[1]);
    if (n < 1 || n > MAX_DAYS) return fail(name, text, `the number of days must be 1-${MAX_DAYS}`);
    const today = midnight(now);
    return { ok: true, period: { label: `${n}d`, begin: today - n * DAY, end: today } };
  }
  const range = /^(\S+?)\.\.(\S+)$/.exec(word);
  const [first, last] = range === null ? [word, word] : [range[1] ?? '', range[2] ?? ''];
  const begin = dayStart(first);
  const lastDay = dayStart(last);
  if (begin === null || lastDay === null) {
    if (range === null && !/^\d/.test(word)) return fail(name, text, 'unknown period');
    return fail(name, text, `${begin === null ? first : last} is not a date YYYY-MM-DD`);
  }
  if (lastDay < begin) return fail(name, text, `${last} is before ${first}`);
  const label = first === last ? first : `${first}..${last}`;
  return { ok: true, period: { label, begin, end: lastDay + DAY } };
}

function fail(name: string, text: string, why: string): PeriodResult {
  return { ok: false, message: `${name}${JSON.stringify(text)}: ${why}; expected ${PERIOD_FORMS}` };
}

/**
 * A summary's period: the `--period` words, or null for `all` (everything stored: the summary
 * job finds its bounds, and there is no period before it to compare with). A UsageError naming
 * --period otherwise.
 */
export function parseSummaryPeriod(text: string, now: number): Period | null {
  const parsed = parsePeriod(text, now);
  if (!parsed.ok) throw new UsageError(parsed.message);
  return parsed.period;
}

/** The whole UTC days from the one holding `begin` to the one holding `end` (inclusive), named
 * `label`: the bounds of `all` once the stored reports are known. */
export function spanPeriod(label: string, begin: number, end: number): Period {
  return { label, begin: midnight(begin), end: midnight(end) + DAY };
}

/** The `days` whole UTC days ending with the one holding `end`, as `--period` words
 * (`2026-11-24..2026-11-30`): the period a summary suggests when the one asked for is empty. */
export function daysEndingWith(end: number, days: number): string {
  const last = midnight(end);
  const iso = (t: number): string => new Date(t * 1000).toISOString().slice(0, 10);
  return `${iso(last - (days - 1) * DAY)}..${iso(last)}`;
}

/** The period of the same length just before `p` (`n` = 1), or `n` lengths before it. */
export function previousPeriod(p: Period, n = 1): Period {
  const length = p.end - p.begin;
  return { begin: p.begin - n * length, end: p.end - n * length, label: `previous-${n}` };
}

/**
 * Does a report covering [begin, end] (its date_range, both inclusive) intersect the period?
 * All time (null) holds every report.
 */
export function overlaps(period: Period | null, begin: number, end: number): boolean {
  return period === null || (begin < period.end && end >= period.begin);
}

/**
 * The UTC day holding `epoch`, labelled YYYY-MM-DD: the reporting period of the reports we send
 * (RFC 9990 §2: periods SHOULD NOT overlap and typically are one day starting at 00:00 UTC;
 * RFC 7489 §7.2: daily reports start at 00:00 UTC).
 */
export function dayPeriod(epoch: number): Period {
  const begin = midnight(epoch);
  return { label: new Date(begin * 1000).toISOString().slice(0, 10), begin, end: begin + DAY };
}

/** `yesterday` or `YYYY-MM-DD` → that day; null when the text is neither (or not a real date,
 * or not a day that has ended yet: a report of a day still running would be reported twice). */
export function parseReportDay(text: string, now: number): Period | null {
  if (text === 'yesterday') return dayPeriod(now - DAY);
  const start = dayStart(text);
  if (start === null) return null;
  const period = dayPeriod(start);
  return period.end <= now ? period : null;
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
