/**
 * Which DMARC record applies to one of our domains, and which of its policy tags: the one place
 * that decides it, for `ruaflow check` (src/analyze/check/dmarc.ts) and for the policy a summary
 * shows (src/cli/commands/summary.ts).
 *
 * RFC 9989 §4.10 (DMARC policy discovery by DNS tree walk), as mailauth does it for received
 * mail (`ruaflow verify`): the record at `_dmarc.<domain>` applies its `p=`. Without one, the walk
 * goes up the name one label at a time (a name of eight or more labels jumps straight to its last
 * seven), stopping at a record with `psd=y` or `psd=n` or when no labels are left. The
 * organisational domain is the one with `psd=n`, else the one just below a `psd=y` record, else
 * the found record with the fewest labels (§4.10.2); its record applies, or failing that the
 * public suffix domain's (`psd=y`). An inherited record applies `sp=` to a subdomain and `np=` to
 * a subdomain that does not exist, each falling back to `p=` (§4.7). Exactly one `v=DMARC1` record
 * at a name counts; several mean none there (RFC 7489 §6.6.3). DNS failures are values.
 */
import { lookupTxt, nameExists, type DnsResolver } from '../ports/dns.js';
import { looksLikeDmarc, parseDmarcRecord, type DmarcRecord } from './record.js';

/** The tag of a record whose policy applies to a domain's mail. */
export type AppliedTag = 'p' | 'sp' | 'np';

/** Whose record applies: the domain's own, its organisational domain's, or a public suffix
 * domain's (`psd=y`, RFC 9989 §4.7 "psd"). */
export type RecordOwner = 'domain' | 'organisational' | 'psd';

export type DmarcDiscovery =
  | {
      readonly kind: 'found';
      /** The domain whose `_dmarc` record applies. */
      readonly owner: string;
      readonly via: RecordOwner;
      readonly text: string;
      readonly record: DmarcRecord;
      /** The tag that applies to the domain asked about, after falling back to `p=`. */
      readonly applies: AppliedTag;
    }
  /** No record applies: none at the domain, its organisational domain or a PSD above it. */
  | { readonly kind: 'none' }
  /** More than one `v=DMARC1` record at `owner`, where the policy would come from: receivers
   * apply none (RFC 7489 §6.6.3). */
  | { readonly kind: 'several'; readonly owner: string; readonly texts: readonly string[] }
  /** A lookup failed temporarily (`name` is what was asked); the policy is not known. */
  | { readonly kind: 'temperror'; readonly name: string; readonly code: string };

type TempError = Extract<DmarcDiscovery, { kind: 'temperror' }>;

/** RFC 9989 §4.10 step 4: a name of more labels than this is shortened to this many at once. */
const WALK_MAX_LABELS = 7;

/** A name on the walk with its `v=DMARC1` records. */
interface Level {
  readonly name: string;
  readonly texts: readonly string[];
  /** The one record, parsed; null when there are several (none applies, RFC 7489 §6.6.3). */
  readonly record: DmarcRecord | null;
}

/** A level's psd= tag, lower-cased; null without one (or without a single record). */
const psdOf = (level: Level): string | null => level.record?.tags.get('psd')?.toLowerCase() ?? null;

export async function discoverDmarc(resolver: DnsResolver, domain: string): Promise<DmarcDiscovery> {
  const own = await dmarcTexts(resolver, domain);
  if (!Array.isArray(own)) return own;
  if (own.length > 1) return { kind: 'several', owner: domain, texts: own };
  if (own.length === 1) return found(domain, 'domain', own[0] ?? '', 'p');

  const walk = await treeWalk(resolver, domain);
  if (!Array.isArray(walk)) return walk;
  const org = organisationalDomain(domain, walk);
  const last = walk.at(-1);
  const level = walk.find((l) => l.name === org) ?? (last !== undefined && psdOf(last) === 'y' ? last : undefined);
  if (level === undefined) return { kind: 'none' };
  const record = level.record;
  if (record === null) return { kind: 'several', owner: level.name, texts: level.texts };
  const text = level.texts[0] ?? '';
  const via: RecordOwner = level.name === org ? 'organisational' : 'psd';
  // Whether the subdomain exists matters only when the record has an np= to apply to it.
  let exists = true;
  if (record.np !== null) {
    const existence = await nameExists(resolver, domain);
    if (!('exists' in existence)) return { kind: 'temperror', name: domain, code: existence.code };
    exists = existence.exists;
  }
  return found(level.name, via, text, inheritedTag(record, exists), record);
}

function found(owner: string, via: RecordOwner, text: string, applies: AppliedTag, record = parseDmarcRecord(text)): DmarcDiscovery {
  return { kind: 'found', owner, via, text, record, applies };
}

/** The names above `domain` that have DMARC records, longest first (RFC 9989 §4.10 steps 3-6). */
async function treeWalk(resolver: DnsResolver, domain: string): Promise<Level[] | TempError> {
  const levels: Level[] = [];
  let labels = up(domain.split('.'));
  while (labels.length > 0) {
    const name = labels.join('.');
    const texts = await dmarcTexts(resolver, name);
    if (!Array.isArray(texts)) return texts;
    if (texts.length > 0) {
      const level: Level = { name, texts, record: texts.length === 1 ? parseDmarcRecord(texts[0] ?? '') : null };
      levels.push(level);
      const psd = psdOf(level);
      if (psd === 'y' || psd === 'n') break;
    }
    labels = up(labels);
  }
  return levels;
}

const up = (labels: readonly string[]): string[] => (labels.length > WALK_MAX_LABELS ? labels.slice(-WALK_MAX_LABELS) : labels.slice(1));

/** RFC 9989 §4.10.2 for a domain without a record of its own. */
function organisationalDomain(domain: string, walk: readonly Level[]): string {
  for (const level of walk) {
    const psd = psdOf(level);
    if (psd === 'n') return level.name;
    // The name one label below the public suffix domain.
    if (psd === 'y') return domain.split('.').slice(-(level.name.split('.').length + 1)).join('.');
  }
  return walk.at(-1)?.name ?? domain;
}

/** RFC 9989 §4.10.1: a subdomain under its organisational domain's record gets `np=` when it
 * does not exist, else `sp=`; an absent (or invalid, hence ignored) tag falls back to `p=`. */
export function inheritedTag(record: Pick<DmarcRecord, 'sp' | 'np'>, exists: boolean): AppliedTag {
  if (!exists && record.np !== null) return 'np';
  return record.sp !== null ? 'sp' : 'p';
}

/** The `v=DMARC1` TXT records at `_dmarc.<domain>` (RFC 7489 §6.6.3: other TXT records there are
 * ignored), or the temporary error. */
async function dmarcTexts(resolver: DnsResolver, domain: string): Promise<string[] | TempError> {
  const name = `_dmarc.${domain}`;
  const answer = await lookupTxt(resolver, name);
  if (answer.kind === 'temperror') return { kind: 'temperror', name, code: answer.code };
  return answer.kind === 'records' ? answer.records.filter(looksLikeDmarc) : [];
}
