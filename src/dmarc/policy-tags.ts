/**
 * A DMARC record as the policy tags a summary compares with what reporters saw (`policy_published`
 * in their reports). The record is found (discovery.ts) and read (record.ts) as `ruaflow check`
 * finds and reads it. Pure: a parsed record in, tags out.
 */
import type { DmarcRecord } from './record.js';

/** The policy as published (`_dmarc` TXT) or as a reporter saw it (`policy_published`). */
export interface PolicyTags {
  readonly p: string | null;
  readonly sp: string | null;
  readonly np: string | null;
  readonly pct: number | null;
  /** RFC 9990 `t=` (testing): y | n. */
  readonly testing: string | null;
}

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
