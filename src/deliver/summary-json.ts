/**
 * The stable `ruaflow summary --format json` shape (docs/json-output.md "summary"; docs/summaries.md).
 * snake_case keys, counts as integers, times as epoch seconds (UTC); `period.end` is the last
 * second of the period, as `end` is in `reports --json`. New keys may be added; none are renamed.
 */
import type { Counts, DomainSummary, Summary } from '../analyze/summary/types.js';
import type { PolicyTags } from '../dmarc/policy-tags.js';

export function summaryJson(s: Summary) {
  return {
    period: { begin: s.period.begin, end: s.period.end - 1, label: s.period.label },
    previous_period: s.previous === null ? null : { begin: s.previous.begin, end: s.previous.end - 1 },
    generated_at: s.generatedAt,
    latest_report_end: s.latestReportEnd,
    domains: s.domains.map(domainJson),
  };
}

function counts(c: Counts) {
  return {
    messages: c.messages,
    dmarc_pass: c.dmarcPass,
    dmarc_fail: c.messages - c.dmarcPass,
    dkim_aligned_pass: c.dkimPass,
    spf_aligned_pass: c.spfPass,
    disposition: { none: c.disposition.none, quarantine: c.disposition.quarantine, reject: c.disposition.reject },
  };
}

const tags = (p: PolicyTags) => ({ p: p.p, sp: p.sp, np: p.np, pct: p.pct, testing: p.testing });

function domainJson(d: DomainSummary) {
  return {
    domain: d.domain,
    ...counts(d),
    previous: d.previous === null ? null : counts(d.previous),
    organisations: d.organisations.map((o) => ({ name: o.name, kind: o.kind, messages: o.messages, dmarc_pass: o.dmarcPass, sources: o.sources })),
    sources: d.sources.map((s) => ({
      ip: s.ip,
      name: s.organisation,
      ptr: s.ptr,
      ...counts(s),
      new: s.isNew,
      class: s.correlation?.class ?? null,
      fix: s.correlation === null || s.correlation.fix === '' ? null : s.correlation.fix,
    })),
    reporters: d.reporters.map((r) => ({ org_name: r.name, reports: r.reports, messages: r.messages })),
    silent_reporters: d.silentReporters.map((r) => ({ org_name: r.name, periods_seen: r.periodsSeen, periods_looked_at: r.periodsLookedAt })),
    policy: {
      published:
        d.published === null
          ? null
          : { ...tags(d.published), source: d.published.source, record_domain: d.published.recordDomain, applies: d.published.applies, policy: d.published.policy },
      seen: d.seen.map((p) => ({ ...tags(p), reports: p.reports, messages: p.messages })),
    },
    days: d.days.map((x) => ({ day: x.day, messages: x.messages, dmarc_pass: x.dmarcPass })),
    readiness: {
      messages: d.readiness.messages,
      hurt_by_quarantine: d.readiness.hurt,
      hurt_by_reject: d.readiness.hurt,
      forwarded_excluded: d.readiness.forwarded,
      spoofing_stopped: d.readiness.spoof,
      legitimate_hurt: d.readiness.ours + d.readiness.services + d.readiness.forwarded,
      legitimate_hurt_by: { ours: d.readiness.ours, services: d.readiness.services, forwarded: d.readiness.forwarded },
      unclassified_failing: d.readiness.unclassified,
    },
  };
}

export const renderSummaryJson = (s: Summary): string => `${JSON.stringify(summaryJson(s))}\n`;
