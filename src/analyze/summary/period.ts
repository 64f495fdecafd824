/**
 * Summary periods: the shared `--period` words (src/analyze/period.ts) as half-open UTC
 * intervals [begin, end) in epoch seconds, which is what daily buckets and "the period before"
 * want. A summary compares with the period before it, so it needs bounds: `all` is refused.
 */
import { parsePeriod as parseShared } from '../period.js';
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

/** `text` at time `now` → a bounded period; a UsageError naming --period otherwise. */
export function parsePeriod(text: string, now: number): Period {
  const parsed = parseShared(text, { now: () => now });
  if (!parsed.ok) throw new UsageError(parsed.message);
  const { begin, end, label } = parsed.period;
  if (begin === null || end === null) {
    throw new UsageError(`--period ${JSON.stringify(text)}: a summary needs a bounded period (last-week, 7d, 30d, A..B)`);
  }
  return { begin, end: end + 1, label };
}

/** The period of the same length just before `p` (`n` = 1), or `n` lengths before it. */
export function previousPeriod(p: Period, n = 1): Period {
  const length = p.end - p.begin;
  return { begin: p.begin - n * length, end: p.end - n * length, label: `previous-${n}` };
}

