/**
 * An evaluation as the rows the store keeps (pure). The store's columns are documented in
 * schema/sql/002_evaluations.sql; outbound aggregate reports read them (RFC 9990 §3).
 */
import { isIP } from 'node:net';
import type { EvaluationRow } from '../store/evaluations.js';
import { domainOfAddress } from './local-policy.js';
import type { Evaluation } from './types.js';

export function evaluationRow(e: Evaluation): EvaluationRow {
  const { auth, verdict } = e;
  const { envelope, spf, dmarc } = auth;
  const published = dmarc.published;
  const mailFromDomain = envelope.mailFrom === '' ? null : domainOfAddress(envelope.mailFrom) || null;
  return {
    evaluatedAt: e.evaluatedAt,
    sourceIp: envelope.ip,
    ipVersion: isIP(envelope.ip) === 6 ? 6 : 4,
    helo: envelope.helo === '' ? null : envelope.helo,
    envelopeFrom: envelope.mailFrom,
    envelopeFromDomain: mailFromDomain,
    headerFrom: auth.headerFrom,
    // Several From fields count as several even when they share a domain (header_from is null then).
    headerFromCount: Math.max(auth.headerFromDomains.length, auth.fromFields),
    messageId: auth.messageId,
    spfDomain: spf.domain === '' ? null : spf.domain,
    spfScope: spf.scope,
    spfResult: spf.result,
    dmarcResult: dmarc.result,
    policyDomain: dmarc.policyDomain,
    discoveryMethod: dmarc.discoveryMethod,
    p: published?.p ?? null,
    sp: published?.sp ?? null,
    np: published?.np ?? null,
    adkim: published?.adkim ?? null,
    aspf: published?.aspf ?? null,
    fo: published?.fo ?? null,
    testing: published?.t ?? null,
    pct: published?.pct ?? null,
    rua: published?.rua ?? null,
    dkimAligned: dmarc.dkimAligned ? 'pass' : 'fail',
    spfAligned: dmarc.spfAligned ? 'pass' : 'fail',
    disposition: verdict.disposition,
    decision: verdict.decision,
    arcResult: auth.arc.result,
    recipients: envelope.rcpt.map((address) => ({ address, domain: domainOfAddress(address) })),
    dkim: auth.dkim.map((s) => ({
      domain: s.domain,
      selector: s.selector,
      identity: s.identity,
      algorithm: s.algorithm,
      keyBits: s.bits,
      result: s.result,
      reason: s.reason,
      aligned: s.aligned,
      status: s.status,
    })),
    reasons: verdict.overrides.map((o) => ({ type: o.type, comment: o.comment })),
  };
}
