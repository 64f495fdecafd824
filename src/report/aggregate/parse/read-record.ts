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
import { child, children, text } from './xml-node.js';
import type { XmlNode } from './xml-tree.js';
import { QUOTED_VALUE_CHARS } from '../../../limits.js';

export function readRecord(record: XmlNode, issues: IssueLog, repaired: boolean): AggregateRecord | null {
  const row = child(record, 'row');
  const evaluated = child(row, 'policy_evaluated');
  // Old drafts (dmarc.org wiki, junc.org) wrote <identities>.
  let ids = child(record, 'identifiers');
  if (ids === undefined) {
    ids = child(record, 'identities');
    if (ids !== undefined) issues.note('record.identities', 'old-draft <identities> read as <identifiers>');
  }
  const auth = child(record, 'auth_results');

  const ipText = text(row, 'source_ip', repaired)?.trim() ?? '';
  if (ipText === '') {
    issues.note('record.no_source_ip', 'record without <source_ip> skipped');
    return null;
  }
  const ip = canonicalIp(ipText);
  if (ip.version === null) issues.note('record.bad_source_ip', `source_ip "${ipText.slice(0, QUOTED_VALUE_CHARS)}" is not an IP address; kept as written`);

  const count = readCount(text(row, 'count', repaired));
  if (count === null) {
    issues.note('record.bad_count', 'record without a usable <count> (a non-negative integer) skipped');
    return null;
  }

  const reasons: PolicyOverrideReason[] = [];
  for (const r of children(evaluated, 'reason')) {
    const node = typeof r === 'string' ? {} : Array.isArray(r) ? {} : r;
    const typeText = text(node, 'type', repaired)?.trim() ?? '';
    const comment = emptyToNull(text(node, 'comment', repaired));
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
    const domain = text(d, 'domain', repaired)?.trim() ?? '';
    if (domain === '') issues.note('dkim.no_domain', 'DKIM result without <domain>');
    const result = normaliseDkimResult(text(d, 'result', repaired), issues);
    if (result === null) issues.note('dkim.no_result', 'DKIM result without <result> read as "none"');
    dkim.push({
      domain: domain.toLowerCase(),
      selector: emptyToNull(text(d, 'selector', repaired)),
      result: result ?? 'none',
      humanResult: emptyToNull(text(d, 'human_result', repaired)),
    });
  }

  const spf: SpfAuthResult[] = [];
  for (const s of children(auth, 'spf')) {
    if (typeof s === 'string' || Array.isArray(s)) continue;
    const domain = text(s, 'domain', repaired)?.trim() ?? '';
    if (domain === '') issues.note('spf.no_domain', 'SPF result without <domain>');
    const result = normaliseSpfResult(text(s, 'result', repaired), issues);
    if (result === null) issues.note('spf.no_result', 'SPF result without <result> read as "none"');
    spf.push({
      domain: domain.toLowerCase(),
      scope: normaliseSpfScope(text(s, 'scope', repaired), issues),
      result: result ?? 'none',
      humanResult: emptyToNull(text(s, 'human_result', repaired)),
    });
  }

  const headerFrom = emptyToNull(text(ids, 'header_from', repaired));
  if (headerFrom === null) issues.note('record.no_header_from', 'record without <header_from>');

  return {
    sourceIp: ip.text,
    ipVersion: ip.version,
    count,
    disposition: normaliseDisposition(text(evaluated, 'disposition', repaired), issues),
    dkimAligned: normaliseAlignedResult('policy_evaluated.dkim', text(evaluated, 'dkim', repaired), issues),
    spfAligned: normaliseAlignedResult('policy_evaluated.spf', text(evaluated, 'spf', repaired), issues),
    reasons,
    headerFrom: headerFrom?.toLowerCase() ?? null,
    // RFC 9990 §3: present-but-empty envelope_from is the null reverse-path; keep "" apart from absent.
    envelopeFrom: text(ids, 'envelope_from', repaired)?.trim().toLowerCase() ?? null,
    envelopeTo: emptyToNull(text(ids, 'envelope_to', repaired))?.toLowerCase() ?? null,
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
