/** The stable `--json` shape of one evaluation (docs/json-output.md "verify"); serve answers
 * with the same object. snake_case, like the other JSON outputs. */
import type { Evaluation } from './types.js';

export function evaluationJson(e: Evaluation) {
  const { auth, verdict, dmarcPolicy } = e;
  const published = auth.dmarc.published;
  return {
    decision: verdict.decision,
    reasons: verdict.reasons,
    overrides: verdict.overrides.map((o) => ({ type: o.type, comment: o.comment })),
    disposition: verdict.disposition,
    authentication_results: e.authenticationResults,
    envelope: { ip: auth.envelope.ip, helo: auth.envelope.helo, mail_from: auth.envelope.mailFrom, rcpt: auth.envelope.rcpt },
    header_from: auth.headerFrom,
    header_from_domains: auth.headerFromDomains,
    message_id: auth.messageId,
    spf: { result: auth.spf.result, domain: auth.spf.domain, scope: auth.spf.scope, comment: auth.spf.comment },
    dkim: auth.dkim.map((s) => ({
      domain: s.domain,
      selector: s.selector,
      identity: s.identity,
      algorithm: s.algorithm,
      bits: s.bits,
      result: s.result,
      status: s.status,
      reason: s.reason,
      aligned: s.aligned,
    })),
    dkim_unchecked: auth.dkimUnchecked,
    dmarc: {
      result: auth.dmarc.result,
      comment: auth.dmarc.comment,
      header_from: auth.dmarc.authorDomain,
      policy_domain: auth.dmarc.policyDomain,
      org_domain: auth.dmarc.orgDomain,
      discovery_method: auth.dmarc.discoveryMethod,
      policy: dmarcPolicy.requested,
      policy_tag: dmarcPolicy.tag,
      applied_policy: dmarcPolicy.applied,
      spf_aligned: auth.dmarc.spfAligned,
      dkim_aligned: auth.dmarc.dkimAligned,
      published:
        published === null
          ? null
          : { p: published.p, sp: published.sp, np: published.np, adkim: published.adkim, aspf: published.aspf, fo: published.fo, t: published.t, pct: published.pct, rua: published.rua },
    },
    arc: { result: auth.arc.result, sealer: auth.arc.sealer },
    evaluated_at: e.evaluatedAt,
  };
}
