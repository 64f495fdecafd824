/**
 * Reading our published DMARC record (`_dmarc.<domain>` TXT, RFC 7489 §6.3 / RFC 9989 tags) into
 * the tags a summary compares with what reporters saw. Pure: TXT strings in, tags out.
 */
import type { PolicyTags } from './types.js';

/** The one `v=DMARC1` record among the TXT strings; null when there is none or several
 * (RFC 7489 §6.6.3: more than one means no policy). */
export function parseDmarcRecord(txt: readonly string[]): PolicyTags | null {
  const records = txt.filter((t) => /^\s*v\s*=\s*DMARC1\s*(;|$)/i.test(t));
  if (records.length !== 1) return null;
  const tags = new Map<string, string>();
  for (const part of records[0]!.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) tags.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const word = (k: string): string | null => {
    const v = tags.get(k);
    return v === undefined || v === '' ? null : v.toLowerCase();
  };
  const pct = tags.get('pct');
  return {
    p: word('p'),
    sp: word('sp'),
    np: word('np'),
    pct: pct !== undefined && /^\d{1,3}$/.test(pct) ? Number(pct) : null,
    testing: word('t'),
  };
}
