/**
 * One outbound report's contents → the aggregate-report model that report/aggregate/build.ts
 * writes (pure). The report sender groups evaluations into rows (aggregate.ts); here those rows
 * and the policy configuration become the same header and records a parsed report has, so one
 * set of types and one vocabulary serve reading and writing. The words come from our own
 * verifier (verify.ts), so they are taken as written: the builder maps any it does not know.
 */
import type { OutboundReportFormat } from '../types/config.js';
import type { AggregateReport } from '../report/aggregate/build.js';
import { canonicalIp } from '../report/aggregate/ip.js';
import type { AggregateRecord, Open, PolicyPublished } from '../report/aggregate/types.js';
import type { PolicyConfig } from '../store/evaluation-row.js';
import type { ReportRow } from './aggregate.js';

export interface OutboundReportInput {
  readonly format: OutboundReportFormat;
  readonly orgName: string;
  readonly email: string;
  readonly extraContactInfo: string | null;
  readonly reportId: string;
  /** The date range, epoch seconds, both inclusive (RFC 7489 App. C). */
  readonly begin: number;
  readonly end: number;
  /** `ruaflow 0.1.0` (RFC 9990 only). */
  readonly generator: string;
  readonly policyDomain: string;
  readonly policy: PolicyConfig;
  readonly rows: readonly ReportRow[];
}

/** A word from our verifier, as the model's open vocabulary holds it. */
const word = <T extends string>(value: string | null): Open<T> | null => value as Open<T> | null;

export function outboundReport(input: OutboundReportInput): AggregateReport {
  const p = input.policy;
  const policy: PolicyPublished = {
    domain: input.policyDomain,
    adkim: word(p.adkim),
    aspf: word(p.aspf),
    p: word(p.p),
    sp: word(p.sp),
    np: word(p.np),
    pct: p.pct,
    fo: p.fo,
    testing: word(p.testing),
    discoveryMethod: word(p.discoveryMethod),
  };
  return {
    header: {
      format: input.format,
      namespace: null,
      version: '1.0',
      orgName: input.orgName,
      email: input.email,
      extraContactInfo: input.extraContactInfo,
      reportId: input.reportId,
      reportIdRaw: input.reportId,
      begin: input.begin,
      end: input.end,
      errors: [],
      generator: input.generator,
      policy,
    },
    records: input.rows.map(recordOf),
  };
}

function recordOf(r: ReportRow): AggregateRecord {
  return {
    sourceIp: r.sourceIp,
    ipVersion: canonicalIp(r.sourceIp).version,
    count: r.count,
    disposition: word(r.disposition),
    dkimAligned: word(r.dkimAligned),
    spfAligned: word(r.spfAligned),
    reasons: r.reasons.map((x) => ({ type: word(x.type) ?? 'other', comment: x.comment })),
    headerFrom: r.headerFrom,
    envelopeFrom: r.envelopeFrom,
    envelopeTo: r.envelopeTo,
    dkim: r.dkim.map((d) => ({ domain: d.domain, selector: d.selector, result: word(d.result) ?? 'none', humanResult: d.humanResult })),
    spf: r.spf === null ? [] : [{ domain: r.spf.domain, scope: word(r.spf.scope), result: word(r.spf.result) ?? 'none', humanResult: null }],
  };
}
