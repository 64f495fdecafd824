/**
 * The summary model: what `ruaflow summary` and the weekly email say about each policy domain.
 *
 * Glossary
 * - policy domain: the domain a report is about (RFC 7489 §7.2 `policy_published/domain`).
 * - source: one sending IP address seen in the records (`row/source_ip`).
 * - organisation: who runs a source — a service name (our `services`, or the built-in map of
 *   major mail services), else the base domain of its forward-confirmed PTR name, else nothing.
 * - DMARC pass: the record's policy evaluation has aligned DKIM or aligned SPF pass (RFC 7489
 *   §4.2, `policy_evaluated/dkim|spf`).
 * - reporter: the organisation that sent the report (`report_metadata/org_name`).
 * - class / fix: the correlation of a source with our own setup (ours, a service, forwarded,
 *   spoof, …) and what to change; injected (`ClassOf`), null when unknown.
 * - period: [begin, end) in epoch seconds, whole UTC days; counts of reports spanning several
 *   days are split into daily buckets (buckets.ts).
 */
import type { AppliedTag, RecordOwner } from '../../dmarc/discovery.js';
import type { PolicyTags } from '../../dmarc/policy-tags.js';
import type { PolicySeen } from '../../store/summary-rows.js';

export type Disposition = 'none' | 'quarantine' | 'reject';

/** One source's messages in one period, summed (already bucketed). */
export interface SourceRow {
  readonly domain: string;
  readonly ip: string;
  readonly messages: number;
  /** Aligned DKIM or aligned SPF pass (policy_evaluated/dkim|spf). */
  readonly dmarcPass: number;
  readonly dkimPass: number;
  readonly spfPass: number;
  readonly quarantine: number;
  readonly reject: number;
}

/** Which tag applies and whose record it is, as discovery says (RFC 9989 §4.10). */
export type { AppliedTag, RecordOwner };

/** Our `_dmarc` record as DNS has it now (src/dmarc/discovery.ts). */
export interface DnsPolicy extends PolicyTags {
  /** The domain whose `_dmarc` record it is: the summarised domain, or (when it has no record of
   * its own) its organisational domain or a public suffix domain above it (RFC 9989 §4.10). */
  readonly recordDomain: string;
  readonly via: RecordOwner;
  readonly applies: AppliedTag;
}

/** The policy a domain's summary is held against. */
export interface PublishedPolicy extends DnsPolicy {
  /** `dns`: our record now; `reports`: the policy reporters saw most (offline, or nothing usable
   * in DNS), which they found at the domain itself (`recordDomain` is the domain, `applies` p). */
  readonly source: 'dns' | 'reports';
  /** The applied tag's value: what receivers are asked to do with the domain's failing mail. */
  readonly policy: string | null;
}

export interface Correlation {
  readonly class: string;
  readonly fix: string;
}

/** The correlation of a source with our setup (the "Know our own setup" issue); null: unknown. */
export type ClassOf = (domain: string, ip: string) => Correlation | null;

/** PTR names, forward-confirmed; null when there is none or it did not confirm. */
export type NamesFor = (ips: readonly string[]) => Promise<ReadonlyMap<string, string | null>>;

export interface Counts {
  readonly messages: number;
  readonly dmarcPass: number;
  readonly dkimPass: number;
  readonly spfPass: number;
  readonly disposition: Readonly<Record<Disposition, number>>;
}

export interface SourceSummary extends Counts {
  readonly ip: string;
  readonly ptr: string | null;
  /** Organisation name (service or base domain); null when unnamed. */
  readonly organisation: string | null;
  readonly organisationKind: 'service' | 'domain' | null;
  /** Not seen in the previous period. */
  readonly isNew: boolean;
  readonly correlation: Correlation | null;
}

export interface OrganisationSummary {
  /** Service name or base domain; for unnamed sources the IP address itself. */
  readonly name: string;
  readonly kind: 'service' | 'domain' | 'ip';
  readonly messages: number;
  readonly dmarcPass: number;
  readonly sources: number;
}

export interface ReporterSummary {
  readonly name: string;
  readonly reports: number;
  readonly messages: number;
}

export interface SilentReporter {
  readonly name: string;
  /** In how many of the previous periods it reported. */
  readonly periodsSeen: number;
  readonly periodsLookedAt: number;
}

/**
 * Who the failing messages of a period come from, by the class of their source: what a stricter
 * policy would stop (spoofing) apart from the legitimate mail it would hurt (issue 12 #16).
 */
export interface Readiness {
  /** Messages failing DMARC this period, excluding those from sources known to be forwarders
   * (spoofing included: JSON `hurt_by_quarantine` / `hurt_by_reject`, kept as they were). */
  readonly hurt: number;
  /** Failing messages from sources classed `forwarded`. */
  readonly forwarded: number;
  /** Failing messages from sources classed `spoof`: what enforcement is meant to stop. */
  readonly spoof: number;
  /** Failing messages from our own relays (`ours-*`). */
  readonly ours: number;
  /** Failing messages from our services (`service-*`). */
  readonly services: number;
  /** Failing messages from sources with no class (the domain is not in [[domains]]) or an
   * `unknown-*` one: neither stopped spoofing nor known legitimate mail. */
  readonly unclassified: number;
  readonly messages: number;
}

/** One UTC day of the summary's chart. */
export interface DayTotals {
  /** Epoch seconds of the day's 00:00 UTC. */
  readonly day: number;
  readonly messages: number;
  readonly dmarcPass: number;
}

export interface DomainSummary extends Counts {
  readonly domain: string;
  /** The period before; null for `--period all` (nothing before everything stored). */
  readonly previous: Counts | null;
  readonly organisations: readonly OrganisationSummary[];
  /** By volume, largest first. */
  readonly sources: readonly SourceSummary[];
  readonly reporters: readonly ReporterSummary[];
  readonly silentReporters: readonly SilentReporter[];
  readonly published: PublishedPolicy | null;
  readonly seen: readonly PolicySeen[];
  readonly readiness: Readiness;
  /** The period's days, oldest first (its last SUMMARY_CHART_DAYS at most), zeros included. */
  readonly days: readonly DayTotals[];
}

export interface Summary {
  readonly period: { readonly begin: number; readonly end: number; readonly label: string };
  /** The period of the same length before; null for `--period all`. */
  readonly previous: { readonly begin: number; readonly end: number } | null;
  readonly generatedAt: number;
  /** The last second (inclusive, effective) of the latest stored report of the summarised
   * domains, whatever the period; null when none is stored. An empty summary points there. */
  readonly latestReportEnd: number | null;
  readonly domains: readonly DomainSummary[];
}
