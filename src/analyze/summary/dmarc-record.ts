/**
 * Our published DMARC record as the tags a summary compares with what reporters saw. The record
 * is found (src/analyze/check/dmarc-discovery.ts) and read (src/analyze/check/dmarc-record.ts) as
 * `ruaflow check` finds and reads it. Pure: a parsed record in, tags out.
 */
import type { DmarcRecord } from '../check/dmarc-record.js';
import type { PolicyTags } from '../../store/summary-rows.js';

export function policyTags(record: DmarcRecord): PolicyTags {
  return {
    // An invalid p= is kept as written: the summary shows what is published, odd or not.
    p: record.p ?? record.tags.get('p')?.toLowerCase() ?? null,
    sp: record.sp,
    np: record.np,
    pct: record.pct,
    testing: record.tags.get('t')?.toLowerCase() ?? null,
  };
}
