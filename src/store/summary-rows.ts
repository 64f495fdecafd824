/**
 * The rows the summary queries (summary-queries.ts) return: what the store knows of reports,
 * records, policies and stored classes, in the shapes the summary aggregation reads. They live
 * with the store, the lowest module that produces them; analyze/summary builds on them.
 */
import type { PolicyTags } from '../dmarc/policy-tags.js';

/** What a record's policy evaluation says, as bits (RFC 7489 §7.2 `policy_evaluated`). */
export const FLAG = { dkim: 1, spf: 2, quarantine: 4, reject: 8 } as const;

/** A record's source and FLAG bits as one number (FLAG uses four bits). */
export const kindOf = (source: number, flags: number): number => source * 16 + flags;

/** One stored report with its records, as the aggregation reads them from the store. */
export interface ReportRecords {
  readonly domain: string;
  readonly begin: number;
  /** Inclusive, effective (report/date-range.ts `effectiveEnd`). */
  readonly end: number;
  /** [kind, count] per record, the kind being source id * 16 + FLAG bits (see `kindOf`); the
   * id names a source address (source_ips). */
  readonly records: readonly (readonly [kind: number, count: number])[];
}

/** One report as the reporter / silence logic needs it. */
export interface ReportSpan {
  readonly domain: string;
  readonly reporter: string;
  readonly begin: number;
  /** Inclusive, effective (report/date-range.ts `effectiveEnd`). */
  readonly end: number;
  readonly messages: number;
}

/** One policy_published configuration as reporters saw it, with how much it covered. */
export interface PolicySeen extends PolicyTags {
  readonly reports: number;
  readonly messages: number;
}

/** One stored class of a source (`record_classes`, written by the classifier) with its volume. */
export interface StoredClassRow {
  readonly domain: string;
  readonly ip: string;
  readonly class: string;
  readonly fix: string;
  readonly messages: number;
}
