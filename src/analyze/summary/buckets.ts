/**
 * Daily bucketing: a report covers a date range (RFC 7489 §7.2 `date_range`, usually one UTC day,
 * sometimes several). For period queries its counts are spread over the UTC days it covers in
 * proportion to the seconds of each day inside the range, then summed over the days inside the
 * period. Integer counts stay integers with largest-remainder rounding, so the day shares of a
 * count always add up to the count: a report wholly inside a period contributes exactly its
 * stored sum. The stored report is never changed; this is read-side arithmetic only.
 */
import { DAY } from '../../report/period.js';

export interface DayShare {
  /** Epoch seconds of the day's 00:00 UTC. */
  readonly day: number;
  readonly count: number;
}

/**
 * `count` spread over the UTC days of [begin, end] (end inclusive, already effective). Largest
 * remainder: floor each exact share, then hand the leftover units to the largest fractional
 * parts (ties to the earlier day), so the shares sum to `count`.
 */
export function dailyShares(count: number, begin: number, end: number): DayShare[] {
  const span = end - begin + 1;
  const first = Math.floor(begin / DAY);
  const last = Math.floor(end / DAY);
  const days: { day: number; floor: number; rest: number }[] = [];
  let given = 0;
  for (let d = first; d <= last; d++) {
    const from = Math.max(begin, d * DAY);
    const to = Math.min(end + 1, (d + 1) * DAY);
    const exact = (count * (to - from)) / span;
    const floor = Math.floor(exact);
    days.push({ day: d * DAY, floor, rest: exact - floor });
    given += floor;
  }
  const order = days.map((_, i) => i).sort((a, b) => days[b]!.rest - days[a]!.rest || a - b);
  for (let k = 0; k < count - given; k++) days[order[k % order.length]!]!.floor += 1;
  return days.map((d) => ({ day: d.day, count: d.floor }));
}

/** The part of `count` (reported over [begin, end], end inclusive) that falls in [from, to). */
export function shareIn(count: number, begin: number, end: number, from: number, to: number): number {
  if (begin >= from && end < to) return count;
  if (end < from || begin >= to) return 0;
  let sum = 0;
  for (const s of dailyShares(count, begin, end)) if (s.day >= from && s.day < to) sum += s.count;
  return sum;
}
