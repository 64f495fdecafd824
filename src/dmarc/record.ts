/**
 * A published DMARC policy record, parsed (RFC 7489 §6.3, RFC 9989 §4.7): tag=value pairs
 * separated by `;`, `v=DMARC1` first. Pure and tolerant: every odd tag or value becomes an issue
 * instead of an exception, so `ruaflow check` can say exactly what to change.
 */

import { tagList } from '../mail/tag-list.js';
import { readMailtoUri } from './rua.js';

export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

export interface RuaUri {
  /** As written (`mailto:dmarc@example.com!10m`). */
  readonly uri: string;
  /** The address of a mailto: URI, lower-cased; null for other schemes. */
  readonly address: string | null;
  /** The host part of the address. */
  readonly host: string | null;
}

export interface DmarcRecord {
  /** Every tag as written, lower-cased names, trimmed values. */
  readonly tags: ReadonlyMap<string, string>;
  readonly p: DmarcPolicy | null;
  readonly sp: DmarcPolicy | null;
  readonly np: DmarcPolicy | null;
  readonly adkim: 'r' | 's';
  readonly aspf: 'r' | 's';
  readonly pct: number | null;
  /** RFC 9989 §4.7: t=y asks receivers not to apply the policy fully (testing). */
  readonly testing: boolean;
  readonly rua: readonly RuaUri[];
  readonly ruf: readonly RuaUri[];
  /** Fatal: the record is not a DMARC record receivers will apply (v= missing or not first, p= unusable). */
  readonly errors: readonly string[];
  /** Not fatal: invalid optional values (receivers ignore them), unknown tags. */
  readonly issues: readonly string[];
}

/** Tags of RFC 7489 §6.3 and RFC 9989 §4.7 (pct, rf and ri were dropped by RFC 9989 but are still
 * common and harmless). */
const KNOWN_TAGS = new Set(['v', 'p', 'sp', 'np', 'adkim', 'aspf', 'fo', 'pct', 'rf', 'ri', 'rua', 'ruf', 't', 'psd']);
const POLICIES = new Set(['none', 'quarantine', 'reject']);

/** Whether a TXT record is a DMARC record at all (RFC 7489 §6.6.3: records not starting with
 * v=DMARC1 are ignored). */
export const looksLikeDmarc = (txt: string): boolean => /^\s*v\s*=\s*DMARC1\s*(;|$)/i.test(txt);

export function parseDmarcRecord(text: string): DmarcRecord {
  const errors: string[] = [];
  const issues: string[] = [];
  const tags = new Map<string, string>();
  tagList(text).forEach(({ text: part, name, value }, i) => {
    if (name === null) {
      issues.push(`"${part}" is not a tag=value pair`);
      return;
    }
    if (i === 0 && name !== 'v') errors.push('v=DMARC1 must be the first tag');
    if (tags.has(name)) issues.push(`${name}= appears twice (the first one counts)`);
    else tags.set(name, value);
    if (!KNOWN_TAGS.has(name)) issues.push(`unknown tag ${name}=`);
  });
  if (tags.get('v') !== 'DMARC1') errors.push(tags.has('v') ? `v=${tags.get('v') ?? ''} is not v=DMARC1` : 'no v=DMARC1 tag');

  const policy = (name: 'p' | 'sp' | 'np'): DmarcPolicy | null => {
    const value = tags.get(name);
    if (value === undefined) return null;
    if (POLICIES.has(value.toLowerCase())) return value.toLowerCase() as DmarcPolicy;
    (name === 'p' ? errors : issues).push(`${name}=${value} is not none, quarantine or reject`);
    return null;
  };
  const p = policy('p');
  if (!tags.has('p')) errors.push('no p= tag (the policy is required, RFC 7489 §6.3)');
  const sp = policy('sp');
  const np = policy('np');

  const mode = (name: 'adkim' | 'aspf'): 'r' | 's' => {
    const value = tags.get(name)?.toLowerCase();
    if (value === undefined || value === 'r') return 'r';
    if (value === 's') return 's';
    issues.push(`${name}=${tags.get(name) ?? ''} is not r or s (receivers use r)`);
    return 'r';
  };
  const adkim = mode('adkim');
  const aspf = mode('aspf');

  const fo = tags.get('fo');
  if (fo !== undefined && !fo.split(':').every((o) => /^[01ds]$/i.test(o.trim()))) issues.push(`fo=${fo} is not a colon-separated list of 0, 1, d, s`);

  let pct: number | null = null;
  const pctText = tags.get('pct');
  if (pctText !== undefined) {
    if (/^\d{1,3}$/.test(pctText) && Number(pctText) <= 100) pct = Number(pctText);
    else issues.push(`pct=${pctText} is not an integer 0-100`);
  }
  const t = tags.get('t')?.toLowerCase();
  if (t !== undefined && t !== 'y' && t !== 'n') issues.push(`t=${tags.get('t') ?? ''} is not y or n`);
  const ri = tags.get('ri');
  if (ri !== undefined && !/^\d+$/.test(ri)) issues.push(`ri=${ri} is not a number of seconds`);
  const psd = tags.get('psd')?.toLowerCase();
  if (psd !== undefined && !['y', 'n', 'u'].includes(psd)) issues.push(`psd=${tags.get('psd') ?? ''} is not y, n or u`);

  // The same reading of a mailto URI as the report sender's (rua.ts); here an odd
  // URI is an issue to report, not a destination to skip.
  const uris = (name: 'rua' | 'ruf'): RuaUri[] => {
    const value = tags.get(name);
    if (value === undefined || value === '') return [];
    return value.split(',').map((raw) => {
      const uri = raw.trim();
      const read = readMailtoUri(uri);
      if ('reason' in read) {
        issues.push(`${name}: ${uri} is not a usable mailto: address (${read.reason})`);
        return { uri, address: null, host: null };
      }
      if (read.brokenEscape) issues.push(`${name}: ${uri} has a broken %-escape; report senders will skip it`);
      return { uri, address: read.address.toLowerCase(), host: read.host };
    });
  };

  return { tags, p, sp, np, adkim, aspf, pct, testing: t === 'y', rua: uris('rua'), ruf: uris('ruf'), errors, issues };
}
