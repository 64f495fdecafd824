/**
 * Tolerant normalisers for the enumerated fields of an aggregate report.
 * Each takes the raw text and returns a known word, or the unknown word kept verbatim, and notes
 * what was odd in the issue log. Spellings seen in the wild are listed with where they were seen
 * (case: cry-inc/dmarc-report-viewer #79; SPF words: OpenDMARC, Mail::SPF).
 */
import type { IssueLog } from './issues.js';
import {
  ALIGNED_RESULTS,
  ALIGNMENT_MODES,
  DISCOVERY_METHODS,
  DISPOSITIONS,
  DKIM_RESULTS,
  OVERRIDE_TYPES,
  POLICY_ACTIONS,
  SPF_RESULTS,
  SPF_SCOPES,
  TESTING_VALUES,
  type Open,
  type OverrideType,
  type UnknownWord,
} from './types.js';

/** RFC 9990 §7 registers this namespace for aggregate reports; RFC 7489 reports have none. */
export const DMARC2_NAMESPACE = 'urn:ietf:params:xml:ns:dmarc-2.0';

/** The override types each dialect defines: RFC 9990 §3 dropped `forwarded` and `sampled_out`
 * and added `policy_test_mode`, which RFC 7489 App. C does not have. */
export const OVERRIDE_TYPES_RFC9990: readonly OverrideType[] = OVERRIDE_TYPES.filter((t) => t !== 'forwarded' && t !== 'sampled_out');
export const OVERRIDE_TYPES_RFC7489: readonly OverrideType[] = OVERRIDE_TYPES.filter((t) => t !== 'policy_test_mode');

type Aliases = Readonly<Record<string, string>>;

/** SPF: `hardfail` is an old Mail::SPF spelling of fail. RFC 7489 App. C says
 * "TempError commonly implemented as unknown" and "PermError commonly implemented as error";
 * we follow that comment (OpenDMARC writes `unknown`). */
const SPF_ALIASES: Aliases = {
  hardfail: 'fail',
  unknown: 'temperror',
  error: 'permerror',
  'temp-error': 'temperror',
  'perm-error': 'permerror',
};

/** DKIM: `invalid` (seen from small reporters) is a signature that cannot be verified for a
 * structural reason: RFC 8601 §2.7.1 calls that permerror. */
const DKIM_ALIASES: Aliases = {
  invalid: 'permerror',
  unknown: 'temperror',
  error: 'permerror',
  hardfail: 'fail',
};

/** Early drafts and some reporters wrote the RFC 9990 `testing` value as the record's `t` text. */
const TESTING_ALIASES: Aliases = { yes: 'y', no: 'n', true: 'y', false: 'n' };

/** policy words: `reject` is sometimes written `rejected`, quarantine `quarantined`. */
const POLICY_ALIASES: Aliases = { rejected: 'reject', quarantined: 'quarantine' };

const ALIGNED_ALIASES: Aliases = { passed: 'pass', failed: 'fail', true: 'pass', false: 'fail' };

function normalise<T extends string>(
  field: string,
  known: readonly T[],
  aliases: Aliases,
  raw: string | null,
  issues: IssueLog,
): Open<T> | null {
  if (raw === null) return null;
  const text = raw.trim();
  if (text === '') {
    issues.note(`${field}.empty`, `<${field}> is empty; treated as absent`);
    return null;
  }
  const lower = text.toLowerCase();
  if ((known as readonly string[]).includes(lower)) {
    // Seen: `Pass`, `None`, `SoftFail`, `TempError` (cry-inc/dmarc-report-viewer #79).
    if (lower !== text) issues.note(`${field}.case`, `<${field}> value "${text}" lower-cased`);
    return lower as T;
  }
  const alias = aliases[lower];
  if (alias !== undefined) {
    issues.note(`${field}.alias`, `<${field}> value "${text}" read as "${alias}"`);
    return alias as T;
  }
  issues.note(`${field}.unknown`, `<${field}> has unknown value "${text}"; kept as is`);
  return lower as UnknownWord;
}

export const normaliseDisposition = (raw: string | null, issues: IssueLog) =>
  normalise('disposition', DISPOSITIONS, POLICY_ALIASES, raw, issues);
export const normalisePolicyAction = (field: 'p' | 'sp' | 'np', raw: string | null, issues: IssueLog) =>
  normalise(field, POLICY_ACTIONS, POLICY_ALIASES, raw, issues);
export const normaliseAlignmentMode = (field: 'adkim' | 'aspf', raw: string | null, issues: IssueLog) =>
  normalise(field, ALIGNMENT_MODES, { relaxed: 'r', strict: 's' }, raw, issues);
export const normaliseAlignedResult = (field: 'policy_evaluated.dkim' | 'policy_evaluated.spf', raw: string | null, issues: IssueLog) =>
  normalise(field, ALIGNED_RESULTS, ALIGNED_ALIASES, raw, issues);
export const normaliseDkimResult = (raw: string | null, issues: IssueLog) =>
  normalise('dkim.result', DKIM_RESULTS, DKIM_ALIASES, raw, issues);
export const normaliseSpfResult = (raw: string | null, issues: IssueLog) =>
  normalise('spf.result', SPF_RESULTS, SPF_ALIASES, raw, issues);
export const normaliseSpfScope = (raw: string | null, issues: IssueLog) =>
  normalise('spf.scope', SPF_SCOPES, { mailfrom: 'mfrom', 'mail-from': 'mfrom', ehlo: 'helo' }, raw, issues);
export const normaliseOverrideType = (raw: string | null, issues: IssueLog) =>
  normalise('reason.type', OVERRIDE_TYPES, { 'sampled-out': 'sampled_out', 'mailing-list': 'mailing_list' }, raw, issues);
export const normaliseDiscoveryMethod = (raw: string | null, issues: IssueLog) =>
  normalise('discovery_method', DISCOVERY_METHODS, { 'tree-walk': 'treewalk' }, raw, issues);
export const normaliseTesting = (raw: string | null, issues: IssueLog) =>
  normalise('testing', TESTING_VALUES, TESTING_ALIASES, raw, issues);
