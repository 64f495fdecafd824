/**
 * The reporting period (pure): one UTC day, 00:00:00 to 23:59:59 (RFC 9990 §2: periods SHOULD
 * NOT overlap and typically are one day starting at 00:00 UTC; RFC 7489 §7.2: daily reports
 * start at 00:00 UTC). `yesterday` is the day before the clock's current UTC day.
 */
import { dayStart } from '../analyze/period.js';

export interface Period {
  /** Epoch seconds, 00:00:00 UTC. */
  readonly begin: number;
  /** Epoch seconds, 23:59:59 UTC of the same day. */
  readonly end: number;
  /** YYYY-MM-DD. */
  readonly day: string;
}

const DAY = 86_400;

export function dayPeriod(begin: number): Period {
  const start = Math.floor(begin / DAY) * DAY;
  return { begin: start, end: start + DAY - 1, day: new Date(start * 1000).toISOString().slice(0, 10) };
}

/** `yesterday` or `YYYY-MM-DD` → the period; null when the text is neither (or not a real date,
 * or not a day that has ended yet: a report of a day still running would be reported twice). */
export function parsePeriod(text: string, now: number): Period | null {
  if (text === 'yesterday') return dayPeriod(now - DAY);
  // The same reading of a date as every --period (src/analyze/period.ts).
  const start = dayStart(text);
  if (start === null) return null;
  const period = dayPeriod(start);
  return period.end < now ? period : null;
}
