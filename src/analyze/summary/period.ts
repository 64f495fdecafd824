/**
 * Summary periods (`--period`), as half-open UTC intervals [begin, end) in epoch seconds. Pure:
 * "now" comes from the caller's clock.
 *
 *   last-week   the previous Monday 00:00 .. Sunday 24:00 (UTC); the default
 *   7d / 30d    the last 7 / 30 complete UTC days (today is not included)
 *   Nd          any number of complete days, 1..366
 *   A..B        from day A through day B inclusive, both YYYY-MM-DD
 *
 * Small and self-contained on purpose: the lead may swap in the shared period parser
 * (src/analyze/period.ts) at merge; only `parsePeriod` and `Period` are used outside this file.
 */
import { UsageError } from '../../errors.js';

export const DAY = 86_400;

export interface Period {
  /** Epoch seconds, inclusive. */
  readonly begin: number;
  /** Epoch seconds, exclusive. */
  readonly end: number;
  /** What the user asked for: `last-week`, `7d`, `2026-11-01..2026-11-07`. */
  readonly label: string;
}

export function parsePeriod(text: string, now: number): Period {
  const today = Math.floor(now / DAY) * DAY;
  const spec = text.trim().toLowerCase();
  if (spec === 'last-week') {
    // 1970-01-01 was a Thursday: day number + 3 mod 7 is 0 on Mondays.
    const weekday = (Math.floor(today / DAY) + 3) % 7;
    const thisMonday = today - weekday * DAY;
    return { begin: thisMonday - 7 * DAY, end: thisMonday, label: 'last-week' };
  }
  const days = /^(\d{1,3})d$/.exec(spec);
  if (days) {
    const n = Number(days[1]);
    if (n < 1 || n > 366) throw new UsageError(`--period ${text}: expected 1d to 366d`);
    return { begin: today - n * DAY, end: today, label: `${n}d` };
  }
  const range = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(spec);
  if (range) {
    const begin = dayOf(range[1]!, text);
    const last = dayOf(range[2]!, text);
    if (last < begin) throw new UsageError(`--period ${text}: the end day is before the start day`);
    return { begin, end: last + DAY, label: `${range[1]}..${range[2]}` };
  }
  throw new UsageError(`--period ${text}: expected last-week, 7d, 30d or A..B (dates YYYY-MM-DD, e.g. 2026-11-01..2026-11-07)`);
}

/** The period of the same length just before `p` (`n` = 1), or `n` lengths before it. */
export function previousPeriod(p: Period, n = 1): Period {
  const length = p.end - p.begin;
  return { begin: p.begin - n * length, end: p.end - n * length, label: `previous-${n}` };
}

function dayOf(date: string, text: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  // Date.parse rolls 2026-02-30 over to March; a round trip catches that.
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new UsageError(`--period ${text}: ${date} is not a calendar date`);
  }
  return ms / 1000;
}

/** `2026-11-23` */
export const isoDay = (epoch: number): string => new Date(epoch * 1000).toISOString().slice(0, 10);
