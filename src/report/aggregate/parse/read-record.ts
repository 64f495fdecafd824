/**
 * One `<record>` section → AggregateRecord (RFC 7489 App. C RecordType, RFC 9990 §3 record).
 * Returns null (with an issue) when the record has nothing usable: no source IP or no count.
 */
import type { IssueLog } from '../issues.js';
import { canonicalIp } from '../ip.js';
import type { AggregateRecord, DkimAuthResult, PolicyOverrideReason, SpfAuthResult } from '../types.js';
import {
  normaliseAlignedResult,
  normaliseDisposition,
  normaliseDkimResult,
  normaliseOverrideType,
  normaliseSpfResult,
  normaliseSpfScope,
} from '../vocabulary.js';
import { child, children } from './xml-node.js';
import { textReader } from './text-field.js';
import type { XmlNode } from './xml-tree.js';
import { MAX_PLAUSIBLE_RECORD_COUNT, QUOTED_VALUE_CHARS } from '../../../limits.js';

export function readRecord(record: XmlNode, issues: IssueLog, repaired: boolean): AggregateRecord | null {
  const read = textReader(issues, repaired);
  const row = child(record, 'row');
  const evaluated = child(row, 'policy_evaluated');
  // Old drafts (dmarc.org wiki, junc.org) wrote <identities>.
  let ids = child(record, 'identifiers');
  if (ids === undefined) {
    ids = child(record, 'identities');
    if (ids !== undefined) issues.note('record.identities', 'old-draft <identities> read as <identifiers>');
  }
  const auth = child(record, 'auth_results');

  const ipText = read(row, 'source_ip')?.trim() ?? '';
  if (ipText === '') {
    issues.note('record.no_source_ip', 'record without <source_ip> skipped');
    return null;
  }
  const ip = canonicalIp(ipText);
  if (ip.version === null) issues.note('record.bad_source_ip', `source_ip "${ipText.slice(0, QUOTED_VALUE_CHARS)}" is not an IP address; kept as written`);

  const count = readCount(read(row, 'count'));
  if (count === null) {
    issues.note('record.bad_count', 'record without a usable <count> (a non-negative integer) skipped');
    return null;
  }
  if (count > MAX_PLAUSIBLE_RECORD_COUNT) {
    issues.note('record.count_implausible', `record <count> ${count} is above 2^32 - 1 (an overflowed counter?); kept as written`);
  }

  const reasons: PolicyOverrideReason[] = [];
  for (const r of children(evaluated, 'reason')) {
    const node = typeof r === 'string' ? {} : Array.isArray(r) ? {} : r;
    const typeText = read(node, 'type')?.trim() ?? '';
    const comment = emptyToNull(read(node, 'comment'));
    if (typeText === '' && comment === null) {
      // Seen: `<reason><type></type><comment></comment></reason>` (KDDI, parsedmarc sample).
      issues.note('reason.empty', 'empty <reason> skipped');
      continue;
    }
    if (typeText === '') issues.note('reason.type.empty', 'reason without <type> read as "other"');
    const type = typeText === '' ? 'other' : normaliseOverrideType(typeText, issues);
    reasons.push({ type: type ?? 'other', comment });
  }

  const dkim: DkimAuthResult[] = [];
  for (const d of children(auth, 'dkim')) {
    if (typeof d === 'string' || Array.isArray(d)) continue;
    const domain = read(d, 'domain')?.trim() ?? '';
    if (domain === '') issues.note('dkim.no_domain', 'DKIM result without <domain>');
    const result = normaliseDkimResult(read(d, 'result'), issues);
    if (result === null) issues.note('dkim.no_result', 'DKIM result without <result> read as "none"');
    dkim.push({
      domain: domain.toLowerCase(),
      selector: emptyToNull(read(d, 'selector')),
      result: result ?? 'none',
      humanResult: emptyToNull(read(d, 'human_result')),
    });
  }

  const spf: SpfAuthResult[] = [];
  for (const s of children(auth, 'spf')) {
    if (typeof s === 'string' || Array.isArray(s)) continue;
    const domain = read(s, 'domain')?.trim() ?? '';
    if (domain === '') issues.note('spf.no_domain', 'SPF result without <domain>');
    const result = normaliseSpfResult(read(s, 'result'), issues);
    if (result === null) issues.note('spf.no_result', 'SPF result without <result> read as "none"');
    spf.push({
      domain: domain.toLowerCase(),
      scope: normaliseSpfScope(read(s, 'scope'), issues),
      result: result ?? 'none',
      humanResult: emptyToNull(read(s, 'human_result')),
    });
  }

  const headerFrom = emptyToNull(read(ids, 'header_from'));
  if (headerFrom === null) issues.note('record.no_header_from', 'record without <header_from>');

  return {
    sourceIp: ip.text,
    ipVersion: ip.version,
    count,
    disposition: normaliseDisposition(read(evaluated, 'disposition'), issues),
    dkimAligned: normaliseAlignedResult('policy_evaluated.dkim', read(evaluated, 'dkim'), issues),
    spfAligned: normaliseAlignedResult('policy_evaluated.spf', read(evaluated, 'spf'), issues),
    reasons,
    headerFrom: headerFrom?.toLowerCase() ?? null,
    // RFC 9990 §3: present-but-empty envelope_from is the null reverse-path; keep "" apart from absent.
    envelopeFrom: read(ids, 'envelope_from')?.trim().toLowerCase() ?? null,
    envelopeTo: emptyToNull(read(ids, 'envelope_to'))?.toLowerCase() ?? null,
    dkim,
    spf,
  };
}

function emptyToNull(value: string | null): string | null {
  if (value === null) return null;
  const t = value.trim();
  return t === '' ? null : t;
}

/** Counts are xs:integer; `12.0` is accepted, anything negative, fractional or non-numeric is not. */
function readCount(value: string | null): number | null {
  if (value === null) return null;
  const t = value.trim();
  if (!/^\+?\d+(?:\.0*)?$/.test(t)) return null;
  const n = Number.parseInt(t, 10);
  return Number.isSafeInteger(n) ? n : null;
}
