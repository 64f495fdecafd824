/**
 * One aggregate report → its XML document (pure), with fast-xml-parser's builder.
 *
 * Two dialects (`[reporter] format`):
 * - rfc9990 (default): root in the namespace urn:ietf:params:xml:ns:dmarc-2.0, `version` 1.0,
 *   `generator`, `discovery_method`, `np`, `testing`; no `pct`; a DKIM selector always; at most
 *   one SPF result, whose scope may only be `mfrom` (RFC 9990 §3); disposition may be `pass`.
 * - rfc7489: no namespace, App. C element order, `pct` always (the schema requires it), no
 *   RFC 9990-only elements or values (`pass` → `none`, `policy_test_mode` → `other`, or
 *   `sampled_out` when pct=0 caused it), at least
 *   one SPF result with a scope, and IPv6 written with all eight groups (App. C's IPAddress
 *   pattern has no `::`).
 * Element order follows each schema's xs:sequence; documents validate against
 * schema/xsd/rua-dmarcbis.xsd and rua-rfc7489-fixed.xsd (test/receiver/outbound-xml.test.ts).
 *
 * It writes the same model parse.ts reads (types.ts: a ReportHeader and its AggregateRecords),
 * with the same vocabulary, so reading what we wrote gives back what we meant to say
 * (test/report/aggregate-round-trip.test.ts). What a dialect cannot say is written as the
 * nearest thing it can: an unknown word as `permerror` or `none`, a missing pct as 100.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { OutboundReportFormat } from '../../types/config.js';
import { fullIpv6 } from './ip.js';
import {
  ALIGNMENT_MODES,
  DISCOVERY_METHODS,
  DISPOSITIONS,
  DKIM_RESULTS,
  POLICY_ACTIONS,
  SPF_RESULTS,
  TESTING_VALUES,
  type AggregateRecord,
  type ReportHeader,
  type SpfAuthResult,
} from './types.js';
import { DMARC2_NAMESPACE, OVERRIDE_TYPES_RFC7489, OVERRIDE_TYPES_RFC9990 } from './vocabulary.js';

/** A report to write: the header (its `format` says which dialect) and the records. The
 * header's namespace, version, raw report id and errors are what a reader found; the builder
 * writes its dialect's own. */
export interface AggregateReport {
  readonly header: ReportHeader & { readonly format: OutboundReportFormat };
  readonly records: readonly AggregateRecord[];
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, indentBy: ' ', suppressEmptyNode: false });

type Node = Record<string, unknown>;

const known = (words: readonly string[], value: string | null): value is string => value !== null && words.includes(value);

export function buildAggregateXml(report: AggregateReport): string {
  const h = report.header;
  const rfc9990 = h.format === 'rfc9990';
  const metadata: Node = {
    org_name: h.orgName,
    email: h.email ?? '',
    ...(h.extraContactInfo !== null ? { extra_contact_info: h.extraContactInfo } : {}),
    report_id: h.reportId,
    date_range: { begin: h.begin, end: h.end },
    ...(rfc9990 && h.generator !== null ? { generator: h.generator } : {}),
  };
  const feedback: Node = {
    ...(rfc9990 ? { '@_xmlns': DMARC2_NAMESPACE } : {}),
    // RFC 9990 §3: "MUST be 1.0" if present, unchanged from RFC 7489.
    version: '1.0',
    report_metadata: metadata,
    policy_published: rfc9990 ? policy9990(h) : policy7489(h),
    record: report.records.map((r) => record(r, rfc9990, pctZeroAsTesting(h))),
  };
  return `${builder.build({ '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' }, feedback })}`;
}

function policy9990(h: ReportHeader): Node {
  const p = h.policy;
  return {
    domain: p.domain,
    ...opt('discovery_method', p.discoveryMethod, DISCOVERY_METHODS),
    // RFC 9989 §4.7: an invalid or missing p with a usable rua is applied as p=none.
    p: known(POLICY_ACTIONS, p.p) ? p.p : 'none',
    ...opt('sp', p.sp, POLICY_ACTIONS),
    ...opt('np', p.np, POLICY_ACTIONS),
    ...opt('adkim', p.adkim, ALIGNMENT_MODES),
    ...opt('aspf', p.aspf, ALIGNMENT_MODES),
    ...(p.fo !== null && p.fo !== '' ? { fo: p.fo } : {}),
    ...opt('testing', p.testing, TESTING_VALUES),
  };
}

function policy7489(h: ReportHeader): Node {
  const p = h.policy;
  return {
    domain: p.domain,
    ...opt('adkim', p.adkim, ALIGNMENT_MODES),
    ...opt('aspf', p.aspf, ALIGNMENT_MODES),
    p: known(POLICY_ACTIONS, p.p) ? p.p : 'none',
    ...opt('sp', p.sp, POLICY_ACTIONS),
    // App. C requires pct; RFC 7489 §6.3: the default is 100.
    pct: p.pct !== null && p.pct >= 0 && p.pct <= 100 ? p.pct : 100,
    ...(p.fo !== null && p.fo !== '' ? { fo: p.fo } : {}),
  };
}

/** pct=0 without a t tag: RFC 9989 reads it as t=y (policy_test_mode); in RFC 7489's terms
 * every message was sampled out (§6.6.4), and App. C has `sampled_out` for that. */
const pctZeroAsTesting = (h: ReportHeader): boolean => h.policy.pct === 0 && h.policy.testing !== 'y';

function record(r: AggregateRecord, rfc9990: boolean, pctZero: boolean): Node {
  const disposition = rfc9990 || r.disposition !== 'pass' ? r.disposition : 'none';
  const reasons = r.reasons.map((x) => reason(!rfc9990 && pctZero && x.type === 'policy_test_mode' ? 'sampled_out' : x.type, x.comment, rfc9990));
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
    selector: d.selector ?? '',
    result: known(DKIM_RESULTS, d.result) ? d.result : 'permerror',
    ...(d.humanResult !== null && d.humanResult !== '' ? { human_result: d.humanResult } : {}),
  }));
  return {
    row: {
      source_ip: rfc9990 ? r.sourceIp : fullIpv6(r.sourceIp),
      count: r.count,
      policy_evaluated: {
        disposition: known(DISPOSITIONS, disposition) ? disposition : 'none',
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

function spf(r: AggregateRecord, rfc9990: boolean): Node {
  const result = (s: SpfAuthResult): string => (known(SPF_RESULTS, s.result) ? s.result : 'permerror');
  if (rfc9990) {
    // RFC 9990 §3: at most one SPF result; its scope, if given, is mfrom (a HELO check is
    // reported without one).
    const s = r.spf[0];
    if (s === undefined) return {};
    return { spf: { domain: s.domain, ...(s.scope === 'mfrom' ? { scope: 'mfrom' } : {}), result: result(s) } };
  }
  // App. C: at least one SPF result, with a scope; its result vocabulary has no `policy`.
  if (r.spf.length === 0) return { spf: { domain: r.envelopeFrom || r.headerFrom, scope: 'mfrom', result: 'none' } };
  const one = (s: SpfAuthResult): Node => ({ domain: s.domain, scope: s.scope === 'helo' ? 'helo' : 'mfrom', result: s.result === 'policy' ? 'fail' : result(s) });
  return { spf: r.spf.length === 1 && r.spf[0] !== undefined ? one(r.spf[0]) : r.spf.map(one) };
}

function reason(type: string, comment: string | null, rfc9990: boolean): Node {
  if (known(rfc9990 ? OVERRIDE_TYPES_RFC9990 : OVERRIDE_TYPES_RFC7489, type)) return { type, ...(comment !== null && comment !== '' ? { comment } : {}) };
  // A type the dialect lacks (RFC 9990 dropped forwarded/sampled_out; RFC 7489 has no
  // policy_test_mode) becomes `other`, its name kept in the comment.
  return { type: 'other', comment: comment !== null && comment !== '' ? `${type}: ${comment}` : type };
}

function opt(name: string, value: string | null, allowed: readonly string[]): Node {
  return known(allowed, value) ? { [name]: value } : {};
}
