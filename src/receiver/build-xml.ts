/**
 * One aggregate report → its XML document (pure), with fast-xml-parser's builder.
 *
 * Two dialects (NOTES §6, `[reporter] format`):
 * - rfc9990 (default): root in the namespace urn:ietf:params:xml:ns:dmarc-2.0, `version` 1.0,
 *   `generator`, `discovery_method`, `np`, `testing`; no `pct`; a DKIM selector always; at most
 *   one SPF result, whose scope may only be `mfrom` (RFC 9990 §3); disposition may be `pass`.
 * - rfc7489: no namespace, App. C element order, `pct` always (the schema requires it), no
 *   RFC 9990-only elements or values (`pass` → `none`, `policy_test_mode` → `other`), at least
 *   one SPF result with a scope, and IPv6 written with all eight groups (App. C's IPAddress
 *   pattern has no `::`; NOTES §2.3).
 * Element order follows each schema's xs:sequence; documents validate against
 * schema/xsd/rua-dmarcbis.xsd and rua-rfc7489-fixed.xsd (test/receiver/outbound-xml.test.ts).
 */
import { isIPv6 } from 'node:net';
import { XMLBuilder } from 'fast-xml-parser';
import type { OutboundReportFormat } from '../types/config.js';
import { ipToBytes } from '../store/ip.js';
import type { PolicyConfig } from '../store/evaluation-row.js';
import type { ReportRow } from './aggregate.js';
import { DMARC2_NAMESPACE } from '../parse/read-header.js';


export interface ReportDocument {
  readonly format: OutboundReportFormat;
  readonly orgName: string;
  readonly email: string;
  readonly extraContactInfo: string | null;
  readonly reportId: string;
  readonly begin: number;
  readonly end: number;
  /** `ruaflow 0.1.0` (RFC 9990 only). */
  readonly generator: string;
  readonly policyDomain: string;
  readonly policy: PolicyConfig;
  readonly rows: readonly ReportRow[];
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, indentBy: ' ', suppressEmptyNode: false });

const POLICY_ACTIONS = new Set(['none', 'quarantine', 'reject']);
const ALIGNMENT = new Set(['r', 's']);
const DKIM_RESULTS = new Set(['none', 'pass', 'fail', 'policy', 'neutral', 'temperror', 'permerror']);
const SPF_RESULTS = new Set(['none', 'neutral', 'pass', 'fail', 'softfail', 'policy', 'temperror', 'permerror']);
const REASONS_9990 = new Set(['local_policy', 'mailing_list', 'other', 'policy_test_mode', 'trusted_forwarder']);
const REASONS_7489 = new Set(['forwarded', 'sampled_out', 'trusted_forwarder', 'mailing_list', 'local_policy', 'other']);

type Node = Record<string, unknown>;

export function buildReportXml(doc: ReportDocument): string {
  const rfc9990 = doc.format === 'rfc9990';
  const metadata: Node = {
    org_name: doc.orgName,
    email: doc.email,
    ...(doc.extraContactInfo !== null ? { extra_contact_info: doc.extraContactInfo } : {}),
    report_id: doc.reportId,
    date_range: { begin: doc.begin, end: doc.end },
    ...(rfc9990 ? { generator: doc.generator } : {}),
  };
  const feedback: Node = {
    ...(rfc9990 ? { '@_xmlns': DMARC2_NAMESPACE } : {}),
    // RFC 9990 §3: "MUST be 1.0" if present, unchanged from RFC 7489.
    version: '1.0',
    report_metadata: metadata,
    policy_published: rfc9990 ? policy9990(doc) : policy7489(doc),
    record: doc.rows.map((r) => record(r, rfc9990)),
  };
  return `${builder.build({ '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' }, feedback })}`;
}

function policy9990(doc: ReportDocument): Node {
  const p = doc.policy;
  return {
    domain: doc.policyDomain,
    ...opt('discovery_method', p.discoveryMethod, new Set(['psl', 'treewalk'])),
    // RFC 9989 §4.7: an invalid or missing p with a usable rua is applied as p=none.
    p: action(p.p) ?? 'none',
    ...opt('sp', p.sp, POLICY_ACTIONS),
    ...opt('np', p.np, POLICY_ACTIONS),
    ...opt('adkim', p.adkim, ALIGNMENT),
    ...opt('aspf', p.aspf, ALIGNMENT),
    ...(p.fo !== null && p.fo !== '' ? { fo: p.fo } : {}),
    ...opt('testing', p.testing, new Set(['n', 'y'])),
  };
}

function policy7489(doc: ReportDocument): Node {
  const p = doc.policy;
  return {
    domain: doc.policyDomain,
    ...opt('adkim', p.adkim, ALIGNMENT),
    ...opt('aspf', p.aspf, ALIGNMENT),
    p: action(p.p) ?? 'none',
    ...opt('sp', p.sp, POLICY_ACTIONS),
    // App. C requires pct; RFC 7489 §6.3: the default is 100.
    pct: p.pct !== null && p.pct >= 0 && p.pct <= 100 ? p.pct : 100,
    ...(p.fo !== null && p.fo !== '' ? { fo: p.fo } : {}),
  };
}

function record(r: ReportRow, rfc9990: boolean): Node {
  const disposition = rfc9990 ? r.disposition : r.disposition === 'pass' ? 'none' : r.disposition;
  const reasons = r.reasons.map((x) => reason(x.type, x.comment, rfc9990));
  const identifiers: Node = rfc9990
    ? {
        header_from: r.headerFrom,
        ...(r.envelopeFrom !== null ? { envelope_from: r.envelopeFrom } : {}),
        ...(r.envelopeTo !== null ? { envelope_to: r.envelopeTo } : {}),
      }
    : {
        ...(r.envelopeTo !== null ? { envelope_to: r.envelopeTo } : {}),
        // App. C makes envelope_from mandatory; empty for the null reverse-path.
        envelope_from: r.envelopeFrom ?? '',
        header_from: r.headerFrom,
      };
  const dkim = r.dkim.map((d) => ({
    domain: d.domain,
    selector: d.selector,
    result: DKIM_RESULTS.has(d.result) ? d.result : 'permerror',
    ...(d.humanResult !== null && d.humanResult !== '' ? { human_result: d.humanResult } : {}),
  }));
  return {
    row: {
      source_ip: rfc9990 ? r.sourceIp : fullIpv6(r.sourceIp),
      count: r.count,
      policy_evaluated: {
        disposition: ['none', 'quarantine', 'reject', 'pass'].includes(disposition) ? disposition : 'none',
        dkim: r.dkimAligned,
        spf: r.spfAligned,
        ...(reasons.length > 0 ? { reason: reasons } : {}),
      },
    },
    identifiers,
    auth_results: {
      ...(dkim.length > 0 ? { dkim } : {}),
      ...spf(r, rfc9990),
    },
  };
}

function spf(r: ReportRow, rfc9990: boolean): Node {
  const s = r.spf;
  if (rfc9990) {
    if (s === null) return {};
    // RFC 9990 §3: the scope, if given, is mfrom; a HELO check is reported without one.
    return { spf: { domain: s.domain, ...(s.scope === 'mfrom' ? { scope: 'mfrom' } : {}), result: SPF_RESULTS.has(s.result) ? s.result : 'permerror' } };
  }
  // App. C: at least one SPF result, with a scope; its result vocabulary has no `policy`.
  if (s === null) return { spf: { domain: r.envelopeFrom || r.headerFrom, scope: 'mfrom', result: 'none' } };
  const result = s.result === 'policy' ? 'fail' : SPF_RESULTS.has(s.result) ? s.result : 'permerror';
  return { spf: { domain: s.domain, scope: s.scope === 'helo' ? 'helo' : 'mfrom', result } };
}

function reason(type: string, comment: string | null, rfc9990: boolean): Node {
  const known = rfc9990 ? REASONS_9990 : REASONS_7489;
  if (known.has(type)) return { type, ...(comment !== null && comment !== '' ? { comment } : {}) };
  // A type the dialect lacks (RFC 9990 dropped forwarded/sampled_out; RFC 7489 has no
  // policy_test_mode) becomes `other`, its name kept in the comment.
  return { type: 'other', comment: comment !== null && comment !== '' ? `${type}: ${comment}` : type };
}

const action = (v: string | null): string | null => (v !== null && POLICY_ACTIONS.has(v) ? v : null);

function opt(name: string, value: string | null, allowed: ReadonlySet<string>): Node {
  return value !== null && allowed.has(value) ? { [name]: value } : {};
}

/** `2001:db8::1` → `2001:db8:0:0:0:0:0:1`; IPv4 and anything else unchanged. */
export function fullIpv6(ip: string): string {
  const bytes = isIPv6(ip) ? ipToBytes(ip, 6) : null;
  if (bytes === null) return ip;
  return Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16)).join(':');
}
