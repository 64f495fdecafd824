/**
 * The source rows of one period: rows of reports wholly inside it as they are, rows of reports
 * that straddle its edges cut down to the part that falls inside (daily buckets, buckets.ts).
 */
import { shareIn } from './buckets.js';
import type { SourceRow } from './types.js';

export interface SpannedRow extends SourceRow {
  readonly begin: number;
  /** Inclusive, effective. */
  readonly end: number;
}

export function rowsInPeriod(inside: readonly SourceRow[], straddling: readonly SpannedRow[], from: number, to: number): SourceRow[] {
  const out: SourceRow[] = [...inside];
  for (const r of straddling) {
    const messages = shareIn(r.messages, r.begin, r.end, from, to);
    if (messages > 0) out.push({ domain: r.domain, ip: r.ip, disposition: r.disposition, dkim: r.dkim, spf: r.spf, messages });
  }
  return out;
}
