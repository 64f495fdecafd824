/**
 * Per-day totals of one period for the summary's chart: each report's messages, and those of
 * them passing DMARC (aligned DKIM or aligned SPF, RFC 7489 §4.2), spread over the UTC days it
 * covers by the same largest-remainder shares as the period sums (buckets.ts). Passing and
 * failing messages are split separately, so a day's passing count never exceeds its messages.
 * Pure: reports in, totals out.
 */
import { dailyShares } from './buckets.js';
import { DAY } from '../../report/period.js';
import { FLAG, type ReportRecords } from '../../store/summary-rows.js';
import type { DayTotals } from './types.js';

export interface DailyCounter {
  /** Add one report (reports outside the window are skipped). */
  add(report: ReportRecords): void;
  /** Every day of the window for `domain`, oldest first, zeros included. */
  totals(domain: string): DayTotals[];
}

/** A counter for the UTC days of [from, to) (whole days). */
export function dailyCounter(from: number, to: number): DailyCounter {
  const length = Math.max(0, Math.round((to - from) / DAY));
  const byDomain = new Map<string, { messages: number[]; pass: number[] }>();
  return {
    add(report) {
      if (length === 0 || report.end < from || report.begin >= to) return;
      let pass = 0;
      let fail = 0;
      for (const [kind, count] of report.records) {
        if ((kind % 16) & (FLAG.dkim | FLAG.spf)) pass += count;
        else fail += count;
      }
      let d = byDomain.get(report.domain);
      if (d === undefined) byDomain.set(report.domain, (d = { messages: new Array<number>(length).fill(0), pass: new Array<number>(length).fill(0) }));
      for (const [count, passing] of [[pass, true], [fail, false]] as const) {
        if (count === 0) continue;
        for (const share of dailyShares(count, report.begin, report.end)) {
          const i = (share.day - from) / DAY;
          if (i < 0 || i >= length) continue;
          d.messages[i]! += share.count;
          if (passing) d.pass[i]! += share.count;
        }
      }
    },
    totals(domain) {
      const d = byDomain.get(domain);
      return Array.from({ length }, (_, i) => ({ day: from + i * DAY, messages: d?.messages[i] ?? 0, dmarcPass: d?.pass[i] ?? 0 }));
    },
  };
}
