/**
 * Which DMARC policy applies to one message (pure): the record's tags as published, p / sp / np
 * selection (RFC 9989 §4.10.1 and §4.7), and the testing flag t=y, which asks for the policy one
 * level weaker (RFC 9989 §4.7 "t"). pct is historic in RFC 9989 but still published: pct=0 is
 * read as t=y (the use RFC 9989 gives t=y in its place), and 0 < pct < 100 samples as RFC 7489
 * §6.6.4 did, with the random number handed in by the caller.
 */
import { inheritedTag } from '../dmarc/discovery.js';
import { parseDmarcRecord } from '../dmarc/record.js';
import type { DmarcApplication, DmarcOutcome, DmarcPolicy, Override, PublishedPolicy } from './types.js';

/** RFC 9989 §4.7 "t": the next weaker policy. */
const ONE_LEVEL_WEAKER: Readonly<Record<DmarcPolicy, DmarcPolicy>> = { reject: 'quarantine', quarantine: 'none', none: 'none' };

/** Tags of a DMARC record (RFC 9989 §4.7: tag-list syntax of RFC 6376 §3.2; policy values are
 * case-insensitive literals). Unknown or malformed values are read as absent. */
export function parsePublishedPolicy(record: string): PublishedPolicy {
  // The record as `ruaflow check` reads it (RFC 6376 §3.2 syntax; a duplicated tag keeps its
  // first value, as mailauth's lenient reading does for the outcome): p, sp, np and pct come
  // from there, invalid values read as absent. adkim, aspf and t stay null when not published.
  const parsed = parseDmarcRecord(record);
  const { tags } = parsed;
  const mode = (name: string): 'r' | 's' | null => {
    const v = tags.get(name)?.toLowerCase();
    return v === 'r' || v === 's' ? v : null;
  };
  const t = tags.get('t')?.toLowerCase();
  return {
    p: parsed.p,
    sp: parsed.sp,
    np: parsed.np,
    adkim: mode('adkim'),
    aspf: mode('aspf'),
    fo: tags.get('fo') ?? null,
    t: t === 'y' || t === 'n' ? t : null,
    pct: parsed.pct,
    rua: tags.get('rua') ?? null,
    record,
  };
}

/**
 * The policy for this message. `sample` is a number in [0, 100), used only for 0 < pct < 100.
 */
export function applyDmarcPolicy(dmarc: DmarcOutcome, sample: number): DmarcApplication {
  const published = dmarc.published;
  if (published === null || dmarc.authorDomain === null) return { tag: null, requested: null, applied: null, overrides: [] };

  const p = published.p;
  if (p === null) {
    // RFC 9989 §4.10.1: a record without a valid p= that asks for reports acts as p=none.
    return { tag: null, requested: published.rua !== null ? 'none' : null, applied: published.rua !== null ? 'none' : null, overrides: [] };
  }
  // Inherited from the organisational domain (or a PSD): np for a domain that does not exist,
  // else sp, each falling back to p (RFC 9989 §4.7 "np", "sp"); the same choice as `ruaflow
  // check` makes for our own domains. An unknown existence (temperror) counts as existing.
  const inherited = dmarc.policyDomain !== null && dmarc.policyDomain !== dmarc.authorDomain;
  const tag = inherited ? inheritedTag(published, dmarc.authorDomainExists !== false) : 'p';
  const requested: DmarcPolicy = published[tag] ?? p;

  const overrides: Override[] = [];
  let applied: DmarcPolicy = requested;
  if (published.t === 'y' || (published.t === null && published.pct === 0)) {
    applied = ONE_LEVEL_WEAKER[requested];
    if (applied !== requested) {
      const why = published.t === 'y' ? 't=y' : 'pct=0 (read as t=y)';
      overrides.push({ type: 'policy_test_mode', comment: `${why}: ${tag}=${requested} applied as ${applied}` });
    }
  } else if (published.t === null && published.pct !== null && published.pct < 100 && sample >= published.pct) {
    applied = ONE_LEVEL_WEAKER[requested];
    // RFC 7489 §6.6.4 and App. C: a message the sampling left out is `sampled_out`.
    if (applied !== requested) overrides.push({ type: 'sampled_out', comment: `sampled out by pct=${published.pct}: ${tag}=${requested} applied as ${applied}` });
  }
  return { tag, requested, applied, overrides };
}
