/**
 * Summing records into per-source rows for one or more periods, in one pass over the stored
 * reports. A report wholly inside a period adds its records as they are; a report that straddles
 * a period edge is first summed per source and kind of message (FLAG bits), and each such count
 * is split into daily buckets (buckets.ts), so the split counts stay integers and a pass count
 * never exceeds its message count.
 *
 * Hash aggregation here rather than GROUP BY in SQLite: SQLite groups by sorting every input row,
 * which for a million records costs more than this single pass (bench `--only=summary`).
 */
import { shareIn } from './buckets.js';
import { FLAG, type ReportRecords, type SourceRow } from './types.js';

export interface Window {
  readonly from: number;
  /** Exclusive. */
  readonly to: number;
}

type Sums = [messages: number, pass: number, dkim: number, spf: number, quarantine: number, reject: number];

export function aggregateWindows(reports: Iterable<ReportRecords>, windows: readonly Window[]): SourceRow[][] {
  // window → domain → ip → sums
  const sums = windows.map(() => new Map<string, Map<string, Sums>>());
  for (const report of reports) {
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      if (report.end < w.from || report.begin >= w.to) continue;
      const byDomain = sums[i]!;
      let byIp = byDomain.get(report.domain);
      if (byIp === undefined) byDomain.set(report.domain, (byIp = new Map()));
      const records = report.records;
      if (report.begin >= w.from && report.end < w.to) {
        for (let k = 0; k < records.length; k++) {
          const r = records[k]!;
          add(byIp, r[0], r[1], r[2]);
        }
        continue;
      }
      const kinds = new Map<string, number>();
      for (const [ip, count, flags] of records) {
        const key = `${flags} ${ip}`;
        kinds.set(key, (kinds.get(key) ?? 0) + count);
      }
      for (const [key, count] of kinds) {
        const space = key.indexOf(' ');
        const share = shareIn(count, report.begin, report.end, w.from, w.to);
        if (share > 0) add(byIp, key.slice(space + 1), share, Number(key.slice(0, space)));
      }
    }
  }
  return sums.map((byDomain) => {
    const rows: SourceRow[] = [];
    for (const [domain, byIp] of byDomain) {
      for (const [ip, [messages, dmarcPass, dkimPass, spfPass, quarantine, reject]] of byIp) {
        rows.push({ domain, ip, messages, dmarcPass, dkimPass, spfPass, quarantine, reject });
      }
    }
    return rows;
  });
}

function add(byIp: Map<string, Sums>, ip: string, count: number, flags: number): void {
  let s = byIp.get(ip);
  if (s === undefined) byIp.set(ip, (s = [0, 0, 0, 0, 0, 0]));
  s[0] += count;
  // RFC 7489 §4.2: DMARC passes with aligned DKIM or aligned SPF.
  if (flags & (FLAG.dkim | FLAG.spf)) s[1] += count;
  if (flags & FLAG.dkim) s[2] += count;
  if (flags & FLAG.spf) s[3] += count;
  if (flags & FLAG.quarantine) s[4] += count;
  if (flags & FLAG.reject) s[5] += count;
}
