/**
 * report_metadata + policy_published sections → ReportHeader. Rejects (ReportRejectedError, one
 * line naming the element) only what cannot be invented: the reporter, the report id, the date
 * range and the policy domain; everything else has a default or is an issue.
 */
import { ReportRejectedError } from '../../../errors.js';
import type { IssueLog } from '../issues.js';
import type { PolicyPublished, ReportFormat, ReportHeader } from '../types.js';
import {
  normaliseAlignmentMode,
  normaliseDiscoveryMethod,
  normalisePolicyAction,
  normaliseTesting,
  DMARC2_NAMESPACE,
} from '../vocabulary.js';
import { children, decodeEntities } from './xml-node.js';
import { textReader, withoutControls } from './text-field.js';
import type { XmlNode } from './xml-tree.js';
import { FAR_FUTURE_EPOCH, QUOTED_DATE_CHARS } from '../../../limits.js';

export interface HeaderParts {
  readonly namespace: string | null;
  readonly version: string | null;
  readonly metadata: XmlNode | undefined;
  readonly policy: XmlNode | undefined;
}

/** Header sections were checked for damage (and repaired) when they were read; what is still
 * odd now, like an element where text belongs, is read leniently rather than thrown at. */
const LENIENT = true;

/** Year 2000: no DMARC report predates it; smaller values are test data or garbage. */
const PLAUSIBLE_EPOCH = 946_684_800;

export function readHeader(parts: HeaderParts, issues: IssueLog): ReportHeader {
  const meta = parts.metadata;
  if (meta === undefined) throw new ReportRejectedError('<report_metadata> is missing');
  const read = textReader(issues, LENIENT);

  const email = nonEmpty(read(meta, 'email'));
  let orgName = nonEmpty(read(meta, 'org_name'));
  if (orgName === null) {
    // samples/parsedmarc/!example.com!…xml: empty <org_name/>; parsedmarc derives it
    // from the email domain, and so do we, so that such reports still have a reporter.
    const domain = email?.split('@').pop()?.replace(/[<>\s]/g, '') ?? '';
    if (domain === '') throw new ReportRejectedError('report_metadata/org_name is empty and there is no email to take it from');
    issues.note('org_name.derived', `empty <org_name>; taken from the email domain "${domain}"`);
    orgName = domain;
  }

  const reportIdRaw = nonEmpty(read(meta, 'report_id'));
  if (reportIdRaw === null) throw new ReportRejectedError('report_metadata/report_id is missing or empty');
  // RFC 9990 §2.1 ridtxt: "<" ridfmt ">" / ridfmt. We keep the raw form too (it may hold `@`).
  const reportId = reportIdRaw.replace(/^<(.*)>$/, '$1').trim() || reportIdRaw;

  const range = children(meta, 'date_range')[0];
  const rangeNode = typeof range === 'object' && !Array.isArray(range) ? range : undefined;
  let begin = readTimestamp('begin', read(rangeNode, 'begin'), issues);
  let end = readTimestamp('end', read(rangeNode, 'end'), issues);
  if (end < begin) {
    issues.note('date_range.inverted', `date_range end (${end}) is before begin (${begin}); swapped`);
    [begin, end] = [end, begin];
  }
  if (begin < PLAUSIBLE_EPOCH) issues.note('date_range.implausible', `date_range begins at ${begin}, before the year 2000`);
  if (end > FAR_FUTURE_EPOCH) {
    issues.note('date_range.far_future', `date_range ends at ${end}, after the year 2100; kept as written`);
  }

  const errors = children(meta, 'error')
    .map((e) => (typeof e === 'string' ? withoutControls('error', decodeEntities(e), issues).trim() : ''))
    .filter((e) => e !== '');

  // Early drafts put <version> inside report_metadata (pre-RFC 7489 reporters).
  let version = parts.version;
  let format: ReportFormat = 'rfc7489';
  const innerVersion = nonEmpty(read(meta, 'version'));
  if (innerVersion !== null) {
    issues.note('draft.version_in_metadata', '<version> inside <report_metadata> (early draft)');
    version ??= innerVersion;
    format = 'draft';
  }

  const policy = readPolicy(parts.policy, LENIENT, issues);
  const generator = nonEmpty(read(meta, 'generator'));
  if (parts.namespace === DMARC2_NAMESPACE) {
    format = 'rfc9990';
  } else if (generator !== null || policy.discoveryMethod !== null || policy.testing !== null) {
    // RFC 9990 elements without its namespace (samples/parsedmarc/rfc9990-example.net…xml).
    issues.note('rfc9990.no_namespace', 'RFC 9990 elements without the dmarc-2.0 namespace');
    format = 'rfc9990';
  } else if (parts.namespace !== null && parts.namespace !== '') {
    issues.note('xml.namespace', `root namespace "${parts.namespace}" is not ${DMARC2_NAMESPACE}`);
  }
  if (version !== null && !/^(1(\.0+)?|0\.1|0|2(\.0+)?)$/.test(version)) {
    issues.note('version.unknown', `report <version> "${version}"`);
  }

  return {
    format,
    namespace: parts.namespace,
    version,
    orgName,
    email,
    extraContactInfo: nonEmpty(read(meta, 'extra_contact_info')),
    reportId,
    reportIdRaw,
    begin,
    end,
    errors,
    generator,
    policy,
  };
}

function readPolicy(node: XmlNode | undefined, repaired: boolean, issues: IssueLog): PolicyPublished {
  const read = textReader(issues, repaired);
  if (node === undefined) throw new ReportRejectedError('<policy_published> is missing');
  const domain = nonEmpty(read(node, 'domain'))?.toLowerCase().replace(/\.$/, '');
  if (domain === undefined || domain === null) throw new ReportRejectedError('policy_published/domain is missing or empty');
  const p = normalisePolicyAction('p', read(node, 'p'), issues);
  if (p === null) issues.note('p.missing', 'policy_published/p is missing');
  const pctText = nonEmpty(read(node, 'pct'));
  let pct: number | null = null;
  if (pctText !== null) {
    const n = Number(pctText);
    if (Number.isInteger(n) && n >= 0 && n <= 100) pct = n;
    else issues.note('pct.invalid', `policy_published/pct "${pctText}" is not 0-100; ignored`);
  }
  return {
    domain,
    adkim: normaliseAlignmentMode('adkim', read(node, 'adkim'), issues),
    aspf: normaliseAlignmentMode('aspf', read(node, 'aspf'), issues),
    p,
    sp: normalisePolicyAction('sp', read(node, 'sp'), issues),
    np: normalisePolicyAction('np', read(node, 'np'), issues),
    pct,
    fo: nonEmpty(read(node, 'fo')),
    testing: normaliseTesting(read(node, 'testing'), issues),
    discoveryMethod: normaliseDiscoveryMethod(read(node, 'discovery_method'), issues),
  };
}

/** Epoch seconds; `1337270400.0` from 2012-era reporters is cut at the dot. */
function readTimestamp(field: 'begin' | 'end', value: string | null, issues: IssueLog): number {
  const t = value?.trim() ?? '';
  if (t === '') throw new ReportRejectedError(`report_metadata/date_range/${field} is missing or empty`);
  const match = /^\+?(\d{1,12})(\.\d*)?$/.exec(t);
  if (match === null) throw new ReportRejectedError(`report_metadata/date_range/${field} "${t.slice(0, QUOTED_DATE_CHARS)}" is not a number of seconds`);
  if (match[2] !== undefined) issues.note('date_range.decimal', `date_range ${field} "${t}" has decimals; cut to whole seconds`);
  return Number.parseInt(match[1] ?? '0', 10);
}

function nonEmpty(value: string | null): string | null {
  if (value === null) return null;
  const t = value.trim();
  return t === '' ? null : t;
}
