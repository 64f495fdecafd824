/**
 * A report's date range as ruaflow reads it (RFC 7489 §7.2 `date_range`: begin and end of the
 * reporting period, epoch seconds UTC; RFC 7489 App. C writes end as 23:59:59, so both are
 * inclusive).
 */
import { DAY } from './period.js';

/**
 * The inclusive end of a range as we use it. Some reporters write `end` as the next midnight
 * (begin + 86400: seen in Yahoo-style and the demo mpb.example.net reports) rather than
 * 23:59:59; a range ending exactly on a midnight is read as ending one second before it, so a
 * one-day report is not smeared into the next day.
 */
export function effectiveEnd(begin: number, end: number): number {
  if (end <= begin) return begin;
  return end % DAY === 0 ? end - 1 : end;
}

/** The same rule in SQL, for the store's queries (summary-queries.ts, source-list.ts), so they
 * count the same reports for a day as the summary does. */
export const EFFECTIVE_END_SQL = (begin: string, end: string): string =>
  `(CASE WHEN ${end} <= ${begin} THEN ${begin} WHEN ${end} % ${DAY} = 0 THEN ${end} - 1 ELSE ${end} END)`;
