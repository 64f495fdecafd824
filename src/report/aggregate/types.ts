/**
 * The aggregate-report model: what a DMARC aggregate ("rua") report says, after tolerant parsing.
 *
 * Glossary
 * - report: one `<feedback>` document sent by a reporter about one policy domain and one period
 *   (RFC 7489 §7.2, RFC 9990 §2).
 * - reporter: the organisation that evaluated mail and sent the report (`org_name`, `email`).
 * - policy domain: the domain whose published DMARC record was applied (`policy_published/domain`).
 * - record: one `<record>`: a row (source IP, message count, evaluated policy), the identifiers
 *   (header From, envelope from/to) and the raw authentication results (DKIM, SPF).
 * - row: the `<row>` part of a record; we flatten it into the record.
 * - alignment: whether an authenticated identifier (DKIM d=, SPF MAIL FROM) matches the header From
 *   domain (RFC 7489 §3.1); `policy_evaluated/dkim|spf` carry the aligned outcomes.
 * - evaluation: one received message checked by us as a receiver (outbound side, not here).
 * - issue: something odd or repaired while reading a report; kept with the report, never silent.
 */

/** A value read from a report that is not in the vocabulary we know. Kept verbatim (trimmed,
 * lower-cased) and flagged as an issue, never thrown away. */
export type UnknownWord = string & { readonly __unknownWord: true };

/** A vocabulary value: a known word, or an unknown word kept as it was. */
export type Open<T extends string> = T | UnknownWord;

export const REPORT_FORMATS = ['rfc7489', 'rfc9990', 'draft'] as const;
/** Which dialect a report was written in: RFC 9990 (namespace or 9990-only elements), RFC 7489,
 * or a pre-RFC draft (e.g. `<identities>`, version inside report_metadata). */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** RFC 7489 App. C ActionDispositionType; RFC 9990 adds `pass`. */
export const DISPOSITIONS = ['none', 'quarantine', 'reject', 'pass'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** Published policy (p, sp, np). */
export const POLICY_ACTIONS = ['none', 'quarantine', 'reject'] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

/** adkim / aspf (RFC 7489 §6.3). */
export const ALIGNMENT_MODES = ['r', 's'] as const;
export type AlignmentMode = (typeof ALIGNMENT_MODES)[number];

/** policy_evaluated/dkim and /spf: the DMARC-aligned outcome. */
export const ALIGNED_RESULTS = ['pass', 'fail'] as const;
export type AlignedResult = (typeof ALIGNED_RESULTS)[number];

/** DKIM result vocabulary (RFC 8601 §2.7.1, RFC 7489 DKIMResultType). */
export const DKIM_RESULTS = ['none', 'pass', 'fail', 'policy', 'neutral', 'temperror', 'permerror'] as const;
export type DkimResult = (typeof DKIM_RESULTS)[number];

/** SPF result vocabulary (RFC 7208 §2.6, RFC 8601 §2.7.2 adds `policy`). */
export const SPF_RESULTS = ['none', 'neutral', 'pass', 'fail', 'softfail', 'policy', 'temperror', 'permerror'] as const;
export type SpfResult = (typeof SPF_RESULTS)[number];

/** SPF identity checked: MAIL FROM or HELO (RFC 9990 allows only mfrom). */
export const SPF_SCOPES = ['mfrom', 'helo'] as const;
export type SpfScope = (typeof SPF_SCOPES)[number];

/** PolicyOverrideType: RFC 7489 (forwarded, sampled_out, …) plus RFC 9990's policy_test_mode. */
export const OVERRIDE_TYPES = [
  'forwarded',
  'sampled_out',
  'trusted_forwarder',
  'mailing_list',
  'local_policy',
  'policy_test_mode',
  'other',
] as const;
export type OverrideType = (typeof OVERRIDE_TYPES)[number];

/** RFC 9990 policy_published/discovery_method. */
export const DISCOVERY_METHODS = ['psl', 'treewalk'] as const;
export type DiscoveryMethod = (typeof DISCOVERY_METHODS)[number];

/** RFC 9990 policy_published/testing (the record's `t` tag). */
export const TESTING_VALUES = ['n', 'y'] as const;
export type Testing = (typeof TESTING_VALUES)[number];

export interface PolicyPublished {
  /** The policy domain: where the DMARC record was found. */
  readonly domain: string;
  readonly adkim: Open<AlignmentMode> | null;
  readonly aspf: Open<AlignmentMode> | null;
  readonly p: Open<PolicyAction> | null;
  /** null when absent or empty: the subdomain policy then defaults to p (RFC 7489 §6.3). */
  readonly sp: Open<PolicyAction> | null;
  /** RFC 9989 non-existent subdomain policy; seen from Google before RFC 9990. */
  readonly np: Open<PolicyAction> | null;
  /** RFC 7489 only; removed by RFC 9990. */
  readonly pct: number | null;
  /** Raw fo value, e.g. "0", "1:d:s"; kept as a string (RFC 9989 §4.7). */
  readonly fo: string | null;
  readonly testing: Open<Testing> | null;
  readonly discoveryMethod: Open<DiscoveryMethod> | null;
}

/** Everything a report says outside its records. */
export interface ReportHeader {
  readonly format: ReportFormat;
  /** Root namespace URI as written, or null. */
  readonly namespace: string | null;
  /** `<version>` as written (1.0, 0.1, 2.0, …), or null when absent. */
  readonly version: string | null;
  readonly orgName: string;
  readonly email: string | null;
  readonly extraContactInfo: string | null;
  /** report_id with surrounding `<>` removed (RFC 9990 §2.1 ridtxt); see reportIdRaw. */
  readonly reportId: string;
  readonly reportIdRaw: string;
  /** date_range, epoch seconds UTC. */
  readonly begin: number;
  readonly end: number;
  readonly errors: readonly string[];
  readonly generator: string | null;
  readonly policy: PolicyPublished;
}

export interface PolicyOverrideReason {
  readonly type: Open<OverrideType>;
  readonly comment: string | null;
}

export interface DkimAuthResult {
  readonly domain: string;
  readonly selector: string | null;
  readonly result: Open<DkimResult>;
  readonly humanResult: string | null;
}

export interface SpfAuthResult {
  readonly domain: string;
  readonly scope: Open<SpfScope> | null;
  readonly result: Open<SpfResult>;
  readonly humanResult: string | null;
}

export interface AggregateRecord {
  /** Canonical text form (IPv6 compressed, lower case) when valid; else as written. */
  readonly sourceIp: string;
  /** 4 or 6 for a valid address, null when source_ip is not an IP address. */
  readonly ipVersion: 4 | 6 | null;
  readonly count: number;
  readonly disposition: Open<Disposition> | null;
  readonly dkimAligned: Open<AlignedResult> | null;
  readonly spfAligned: Open<AlignedResult> | null;
  readonly reasons: readonly PolicyOverrideReason[];
  readonly headerFrom: string | null;
  /** null when absent; "" when present but empty (RFC 9990: null reverse-path). */
  readonly envelopeFrom: string | null;
  readonly envelopeTo: string | null;
  readonly dkim: readonly DkimAuthResult[];
  readonly spf: readonly SpfAuthResult[];
}

/** Something odd or repaired in a report. `count` folds repeats (a quirk in 100k records is one issue). */
export interface ReportIssue {
  readonly code: string;
  readonly message: string;
  readonly count: number;
}

/** Identity of a report for duplicate detection (report ids alone collide across reporters). */
export interface ReportIdentity {
  readonly orgName: string;
  readonly reportId: string;
  readonly policyDomain: string;
  readonly begin: number;
  readonly end: number;
}
