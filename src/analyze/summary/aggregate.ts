/**
 * Summing records into per-source rows for one or more periods, in one pass over the stored
 * reports. A report wholly inside a period adds its records as they are; a report that straddles
 * a period edge is first summed per source and kind of message (FLAG bits), and each such count
 * is split into daily buckets (buckets.ts), so the split counts stay integers and a pass count
 * never exceeds its message count.
 *
 * Sources come as small integer ids (schema/sql/006_source_ids.sql), so the sums live in plain
 * arrays indexed through one slot table rather than in maps keyed by address strings: a million
 * records are summed in about a third of the time (bench `--only=summary`). GROUP BY in SQLite
 * is slower still: it sorts every input row.
 */
import { DatabaseError } from '../../errors.js';
import { shareIn } from './buckets.js';
import { FLAG, type ReportRecords } from '../../store/summary-rows.js';
import type { SourceRow } from './types.js';

export interface Window {
  readonly from: number;
  /** Exclusive. */
  readonly to: number;
}

/** Per source: messages, DMARC pass, DKIM pass, SPF pass, quarantine, reject, and 1 once a
 * record of the window has added to it (a row even if its counts are 0, as reported). */
const WIDTH = 7;

/** One domain's sums: the sources it has seen, in order, and per window WIDTH numbers each. */
interface DomainSums {
  readonly sources: number[];
  readonly sums: number[][];
}

/** `ipsOf` names the source ids that have rows; called once, at the end. */
export function aggregateWindows(
  reports: Iterable<ReportRecords>,
  windows: readonly Window[],
  ipsOf: (sources: readonly number[]) => ReadonlyMap<number, string>,
): SourceRow[][] {
  const domains = new Map<string, DomainSums>();
  // slot[source] - 1 is the source's position in the current domain's lists; 0: not seen yet.
  // Reports usually come grouped by domain; when the domain changes the table is cleared and
  // refilled from the next domain's own list.
  let slot = new Int32Array(1024);
  let current: DomainSums | null = null;
  let currentName: string | null = null;
  const enter = (domain: string): DomainSums => {
    if (current !== null) for (const s of current.sources) slot[s] = 0;
    let d = domains.get(domain);
    if (d === undefined) domains.set(domain, (d = { sources: [], sums: windows.map(() => []) }));
    d.sources.forEach((s, i) => (slot[s] = i + 1));
    currentName = domain;
    return (current = d);
  };
  const positionOf = (d: DomainSums, source: number): number => {
    if (source >= slot.length) {
      const grown = new Int32Array(Math.max(source + 1, slot.length * 2));
      grown.set(slot);
      slot = grown;
    }
    let p = slot[source]! - 1;
    if (p < 0) {
      p = d.sources.length;
      d.sources.push(source);
      slot[source] = p + 1;
      for (const sums of d.sums) sums.push(0, 0, 0, 0, 0, 0, 0);
    }
    return p * WIDTH;
  };

  for (const report of reports) {
    const d = current !== null && report.domain === currentName ? current : enter(report.domain);
    const records = report.records;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      if (report.end < w.from || report.begin >= w.to) continue;
      const sums = d.sums[i]!;
      if (report.begin >= w.from && report.end < w.to) {
        for (let k = 0; k < records.length; k++) {
          const r = records[k]!;
          const flags = r[0] % 16;
          add(sums, positionOf(d, (r[0] - flags) / 16), r[1], flags);
        }
        continue;
      }
      const kinds = new Map<number, number>();
      for (const [kind, count] of records) kinds.set(kind, (kinds.get(kind) ?? 0) + count);
      for (const [kind, count] of kinds) {
        const share = shareIn(count, report.begin, report.end, w.from, w.to);
        const flags = kind % 16;
        if (share > 0) add(sums, positionOf(d, (kind - flags) / 16), share, flags);
      }
    }
  }

  const used = new Set<number>();
  for (const d of domains.values()) for (const s of d.sources) used.add(s);
  const ips = ipsOf([...used]);
  return windows.map((_, i) => {
    const rows: SourceRow[] = [];
    for (const [domain, d] of domains) {
      const sums = d.sums[i]!;
      d.sources.forEach((source, p) => {
        const o = p * WIDTH;
        // A source seen only in the other window has no row in this one.
        if (sums[o + 6] === 0) return;
        const messages = sums[o]!;
        const ip = ips.get(source);
        // Every stored record names a source_ips row (the store sets it, migration 006 filled in
        // the older ones): a missing one is a damaged database, said as such.
        if (ip === undefined) throw new DatabaseError(`summary: source id ${source} has no address in source_ips: the database is damaged`);
        rows.push({ domain, ip, messages, dmarcPass: sums[o + 1]!, dkimPass: sums[o + 2]!, spfPass: sums[o + 3]!, quarantine: sums[o + 4]!, reject: sums[o + 5]! });
      });
    }
    return rows;
  });
}

function add(sums: number[], o: number, count: number, flags: number): void {
  sums[o]! += count;
  // RFC 7489 §4.2: DMARC passes with aligned DKIM or aligned SPF.
  if (flags & (FLAG.dkim | FLAG.spf)) sums[o + 1]! += count;
  if (flags & FLAG.dkim) sums[o + 2]! += count;
  if (flags & FLAG.spf) sums[o + 3]! += count;
  if (flags & FLAG.quarantine) sums[o + 4]! += count;
  if (flags & FLAG.reject) sums[o + 5]! += count;
  sums[o + 6] = 1;
}
