/**
 * Which DMARC record applies to one of our domains, and which of its policy tags: the one place
 * that decides it, for `ruaflow check` (src/analyze/check/dmarc.ts) and for the policy a summary
 * shows (src/cli/commands/summary.ts).
 *
 * RFC 7489 §6.6.3: the record at `_dmarc.<domain>`; when there is none, the record at
 * `_dmarc.<organisational domain>` (found with the Public Suffix List, src/analyze/check/org-domain.ts).
 * Exactly one `v=DMARC1` record counts; several mean no policy at all. A record found at the
 * domain itself applies its `p=`; one inherited from the organisational domain applies `sp=` to
 * a subdomain and `np=` to a subdomain that does not exist, each falling back to `p=`
 * (RFC 9989 §4.7 "sp", "np"; §4.10.1). DNS failures are values, never exceptions.
 */
import { lookupAddresses, lookupTxt, type DnsResolver } from '../../ports/dns.js';
import { looksLikeDmarc, parseDmarcRecord, type DmarcRecord } from './dmarc-record.js';
import { organisationalDomain } from './org-domain.js';

/** The tag of a record whose policy applies to a domain's mail. */
export type AppliedTag = 'p' | 'sp' | 'np';

export type DmarcDiscovery =
  | {
      readonly kind: 'found';
      /** The domain whose `_dmarc` record applies: the domain itself, or its organisational domain. */
      readonly owner: string;
      readonly text: string;
      readonly record: DmarcRecord;
      /** The tag that applies to the domain asked about, after falling back to `p=`. */
      readonly applies: AppliedTag;
    }
  /** No record at the domain nor at its organisational domain. */
  | { readonly kind: 'none' }
  /** More than one `v=DMARC1` record at `owner`: receivers apply none (RFC 7489 §6.6.3). */
  | { readonly kind: 'several'; readonly owner: string; readonly texts: readonly string[] }
  /** A lookup failed temporarily (`name` is what was asked); the policy is not known. */
  | { readonly kind: 'temperror'; readonly name: string; readonly code: string };

export async function discoverDmarc(resolver: DnsResolver, domain: string): Promise<DmarcDiscovery> {
  let owner = domain;
  let texts = await dmarcTexts(resolver, domain);
  const org = organisationalDomain(domain);
  if (Array.isArray(texts) && texts.length === 0 && org !== domain) {
    owner = org;
    texts = await dmarcTexts(resolver, org);
  }
  if (!Array.isArray(texts)) return texts;
  if (texts.length === 0) return { kind: 'none' };
  if (texts.length > 1) return { kind: 'several', owner, texts };
  const text = texts[0] ?? '';
  const record = parseDmarcRecord(text);
  if (owner === domain) return { kind: 'found', owner, text, record, applies: 'p' };
  // Whether the subdomain exists matters only when the record has an np= to apply to it.
  let exists = true;
  if (record.np !== null) {
    const existence = await domainExists(resolver, domain);
    if (typeof existence !== 'boolean') return existence;
    exists = existence;
  }
  return { kind: 'found', owner, text, record, applies: inheritedTag(record, exists) };
}

/** RFC 9989 §4.10.1: a subdomain under its organisational domain's record gets `np=` when it
 * does not exist, else `sp=`; an absent (or invalid, hence ignored) tag falls back to `p=`. */
export function inheritedTag(record: Pick<DmarcRecord, 'sp' | 'np'>, exists: boolean): AppliedTag {
  if (!exists && record.np !== null) return 'np';
  return record.sp !== null ? 'sp' : 'p';
}

/** The `v=DMARC1` TXT records at `_dmarc.<domain>` (RFC 7489 §6.6.3: other TXT records there are
 * ignored), or the temporary error. */
async function dmarcTexts(resolver: DnsResolver, domain: string): Promise<string[] | Extract<DmarcDiscovery, { kind: 'temperror' }>> {
  const name = `_dmarc.${domain}`;
  const answer = await lookupTxt(resolver, name);
  if (answer.kind === 'temperror') return { kind: 'temperror', name, code: answer.code };
  return answer.kind === 'records' ? answer.records.filter(looksLikeDmarc) : [];
}

/** RFC 9989 §A.4 (after RFC 8020): a domain does not exist when asking for it gets NXDOMAIN; any
 * other answer to an A query, NODATA included, means it exists (as src/receiver/verify.ts asks). */
async function domainExists(resolver: DnsResolver, domain: string): Promise<boolean | Extract<DmarcDiscovery, { kind: 'temperror' }>> {
  const answer = await lookupAddresses(resolver, domain, 4);
  if (answer.kind === 'temperror') return { kind: 'temperror', name: domain, code: answer.code };
  return answer.kind === 'records' || !answer.nxdomain;
}
