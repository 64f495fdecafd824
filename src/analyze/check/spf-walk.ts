/**
 * One walk over an SPF record and every record it reaches through include: and redirect=, as a
 * receiver evaluating every term would make it. It counts the DNS lookups and void lookups
 * (RFC 7208 §4.6.4) for spf.lookups, and keeps the records it fetched as a tree, so the range
 * coverage (spf-coverage.ts) reasons over the same records without querying DNS again.
 */
import { lookupAddresses, lookupMx, lookupTxt, type DnsResolver } from '../../ports/dns.js';
import { allQualifier, isSpfRecord, LOOKUP_TERMS, parseSpfRecord, type SpfRecord, type SpfTerm } from './spf-record.js';

/** RFC 7208 §4.6.4. */
export const SPF_LOOKUP_LIMIT = 10;
export const SPF_VOID_LIMIT = 2;

/** A record and the records its include:/redirect= terms lead to. A term without an entry was
 * not followed: a macro target, no or several SPF records there, a loop, a DNS error, or the
 * walk stopped early — whoever reads the tree must not guess what it would have said. */
export interface SpfNode {
  readonly domain: string;
  readonly record: SpfRecord;
  readonly targets: ReadonlyMap<SpfTerm, SpfNode>;
}

export interface SpfWalk {
  readonly root: SpfNode;
  readonly lookups: number;
  readonly voids: number;
  /** Why a term costs more than a lookup or is broken, e.g. `include:x: no SPF record (permerror)`. */
  readonly notes: readonly string[];
  /** The first lookup that could not be completed; the walk stopped there. */
  readonly temperror: { readonly name: string; readonly code: string } | null;
}

interface Budget {
  lookups: number;
  voids: number;
  notes: string[];
  temperror: { name: string; code: string } | null;
}

/** Counts the lookups the record costs when every term is evaluated, includes and redirects
 * followed (RFC 7208 §4.6.4: include, a, mx, ptr, exists, redirect count; so does each void
 * answer). Macro targets (`%{i}`) are counted once but not resolved. */
export async function walkSpf(domain: string, record: SpfRecord, resolver: DnsResolver): Promise<SpfWalk> {
  const budget: Budget = { lookups: 0, voids: 0, notes: [], temperror: null };
  const root = await walk(domain, record, resolver, budget, new Set([domain]), 0);
  return { root, ...budget };
}

async function walk(domain: string, record: SpfRecord, resolver: DnsResolver, budget: Budget, seen: Set<string>, depth: number): Promise<SpfNode> {
  const targets = new Map<SpfTerm, SpfNode>();
  const node: SpfNode = { domain, record, targets };
  const hasAll = allQualifier(record) !== null;
  for (const term of record.terms) {
    if (budget.temperror !== null || budget.lookups > SPF_LOOKUP_LIMIT * 2) return node;
    const name = term.name;
    if (!LOOKUP_TERMS.has(name)) continue;
    // RFC 7208 §6.1: redirect is ignored when the record has an all mechanism.
    if (name === 'redirect' && hasAll) continue;
    budget.lookups++;
    const target = (term.kind === 'modifier' ? term.value : term.target) ?? domain;
    if (target.includes('%')) continue;
    if (name === 'include' || name === 'redirect') {
      const answer = await lookupTxt(resolver, target);
      if (answer.kind === 'temperror') {
        budget.temperror = { name: target, code: answer.code };
        return node;
      }
      const texts = answer.kind === 'records' ? answer.records.filter(isSpfRecord) : [];
      if (answer.kind === 'none') budget.voids++;
      if (texts.length !== 1) {
        budget.notes.push(`${term.text}: ${texts.length === 0 ? 'no SPF record' : `${texts.length} SPF records`} (permerror)`);
        continue;
      }
      if (seen.has(target) || depth >= SPF_LOOKUP_LIMIT) {
        budget.notes.push(`${term.text}: loop (permerror)`);
        continue;
      }
      const sub = parseSpfRecord(texts[0] ?? '');
      if (sub.errors.length > 0) budget.notes.push(`${term.text}: ${sub.errors.join(', ')} (permerror)`);
      targets.set(term, await walk(target, sub, resolver, budget, new Set([...seen, target]), depth + 1));
    } else if (name === 'a' || name === 'mx') {
      const [v4, v6] = name === 'a' ? await Promise.all([lookupAddresses(resolver, target, 4), lookupAddresses(resolver, target, 6)]) : [await lookupMx(resolver, target), null];
      const failed = [v4, v6].find((a) => a?.kind === 'temperror');
      if (failed?.kind === 'temperror') {
        budget.temperror = { name: target, code: failed.code };
        return node;
      }
      // RFC 7208 §4.6.4: an mx term whose name has more than 10 MX records is a permerror.
      if (name === 'mx' && v4.kind === 'records' && v4.records.length > SPF_LOOKUP_LIMIT) {
        budget.notes.push(`${term.text}: ${target} has ${v4.records.length} MX records, more than ${SPF_LOOKUP_LIMIT} (permerror)`);
      }
      if (v4.kind === 'none' && (v6 === null || v6.kind === 'none')) {
        budget.voids++;
        budget.notes.push(`${term.text}: ${target} has no ${name === 'a' ? 'address' : 'MX'} (void)`);
      }
    } else if (name === 'ptr') {
      budget.notes.push(`${term.text}: ptr is slow and discouraged (RFC 7208 §5.5)`);
    }
  }
  return node;
}
