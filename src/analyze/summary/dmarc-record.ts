/**
 * Our published DMARC record (`_dmarc.<domain>` TXT) as the tags a summary compares with what
 * reporters saw. The record itself is read by the same parser `ruaflow check` uses
 * (src/analyze/check/dmarc-record.ts). Pure: TXT strings in, tags out.
 */
import { looksLikeDmarc, parseDmarcRecord as parseRecord } from '../check/dmarc-record.js';
import type { PolicyTags } from './types.js';

/** The one `v=DMARC1` record among the TXT strings; null when there is none or several
 * (RFC 7489 §6.6.3: more than one means no policy). */
export function parseDmarcRecord(txt: readonly string[]): PolicyTags | null {
  const records = txt.filter(looksLikeDmarc);
  if (records.length !== 1) return null;
  const record = parseRecord(records[0]!);
  return {
    p: record.p ?? record.tags.get('p')?.toLowerCase() ?? null,
    sp: record.sp,
    np: record.np,
    pct: record.pct,
    testing: record.testing ? 'y' : record.tags.has('t') ? (record.tags.get('t')?.toLowerCase() ?? null) : null,
  };
}
