/**
 * The receiver side: what one verification of a received message produces.
 *
 * Glossary
 * - envelope: what the SMTP client told us — connecting IP, HELO name, MAIL FROM (the
 *   RFC5321.MailFrom; '' for the null reverse-path) and the RCPT TO recipients.
 * - author domain: the domain of the RFC5322.From address (RFC 9989 §3.2.2); DMARC is about it.
 * - signature status: seed 000 / Exim's three-way view of one DKIM signature — `pass`, `fail`
 *   (the signature is wrong), `invalid` (it could not be checked: no key, an unusable key, a DNS
 *   failure). Next to it the RFC 8601 §2.7.1 result keyword that goes into the header.
 * - policy domain: where the DMARC record that applies was found (RFC 9989 §3.2.5).
 * - disposition: what DMARC asked us to do, after t=y and our overrides (RFC 9990 §3: none,
 *   pass, quarantine, reject). decision: what we did with the message (accept, quarantine,
 *   defer, reject) — local policy and DMARC together.
 * - evaluation: one verified message with all of the above; recorded for outbound reports.
 */
import type { OverrideType as ReportOverrideType } from '../report/aggregate/types.js';

export type SpfResult = 'none' | 'neutral' | 'pass' | 'fail' | 'softfail' | 'temperror' | 'permerror';
/** RFC 8601 §2.7.1 (dkim=…). */
export type DkimResult = 'pass' | 'fail' | 'neutral' | 'policy' | 'temperror' | 'permerror';
/** Seed 000's view: pass, fail (reject), invalid (cannot be checked: defer). */
export type SignatureStatus = 'pass' | 'fail' | 'invalid';
export type DmarcResult = 'pass' | 'fail' | 'none' | 'temperror' | 'permerror';
export type ArcResult = 'pass' | 'fail' | 'none';
export type DmarcPolicy = 'none' | 'quarantine' | 'reject';
export type Disposition = 'none' | 'pass' | 'quarantine' | 'reject';
export type Decision = 'accept' | 'quarantine' | 'defer' | 'reject';
/** RFC 9990 PolicyOverrideType, plus RFC 7489's `sampled_out` (App. C) for a message the pct
 * tag left out: RFC 9990 has no word for it, so its reports say `other` (report/aggregate/build.ts). */
export type OverrideType = Exclude<ReportOverrideType, 'forwarded'>;

export const DECISIONS = ['accept', 'quarantine', 'defer', 'reject'] as const satisfies readonly Decision[];

export interface Envelope {
  /** Canonical text (IPv6 compressed, lower case). */
  readonly ip: string;
  readonly helo: string;
  /** '' for the null reverse-path (bounces). */
  readonly mailFrom: string;
  readonly rcpt: readonly string[];
}

export interface SpfOutcome {
  /** The domain checked: MAIL FROM's, or the HELO name for the null reverse-path (RFC 7208 §2.4). */
  readonly domain: string;
  readonly scope: 'mfrom' | 'helo';
  readonly result: SpfResult;
  readonly comment: string | null;
}

export interface DkimSignature {
  readonly domain: string;
  readonly selector: string;
  readonly identity: string | null;
  readonly algorithm: string | null;
  /** Key size: RSA modulus bits, 256 for ed25519; null when the key was not looked at. */
  readonly bits: number | null;
  readonly result: DkimResult;
  readonly status: SignatureStatus;
  /** Why, when not pass (human readable, seed 003's dkim_verify_reason). */
  readonly reason: string | null;
  /** d= aligns with the author domain under the record's adkim mode (RFC 9989 §3.2.10). */
  readonly aligned: boolean;
  /** First 8 characters of b=, so two signatures of one domain can be told apart (RFC 8601 §2.7.1 header.b). */
  readonly b: string | null;
}

/** A DMARC record's tags as published (RFC 9989 §4.7), with defaults left unapplied (null). */
export interface PublishedPolicy {
  readonly p: DmarcPolicy | null;
  readonly sp: DmarcPolicy | null;
  readonly np: DmarcPolicy | null;
  readonly adkim: 'r' | 's' | null;
  readonly aspf: 'r' | 's' | null;
  readonly fo: string | null;
  readonly t: 'y' | 'n' | null;
  /** RFC 7489 pct (historic in RFC 9989); null when absent. */
  readonly pct: number | null;
  readonly rua: string | null;
  readonly record: string;
}

export interface DmarcOutcome {
  readonly result: DmarcResult;
  /** Why DMARC could not be evaluated (no From, several From domains) or why it failed. */
  readonly comment: string | null;
  /** The author domain; null when there is none or several. */
  readonly authorDomain: string | null;
  readonly policyDomain: string | null;
  readonly orgDomain: string | null;
  readonly discoveryMethod: 'treewalk' | null;
  readonly published: PublishedPolicy | null;
  /** For np (RFC 9989 §4.10.1): does the author domain exist? null: not asked or unknown. */
  readonly authorDomainExists: boolean | null;
  readonly spfAligned: boolean;
  readonly dkimAligned: boolean;
}

export interface ArcOutcome {
  readonly result: ArcResult;
  /** d= of the newest ARC set when the chain passes: who forwarded the message to us. */
  readonly sealer: string | null;
  readonly comment: string | null;
}

/** Everything authentication found, before any policy is applied. */
export interface AuthOutcome {
  readonly envelope: Envelope;
  /** The From domain; null when there is none or several. */
  readonly headerFrom: string | null;
  /** Every From domain seen (0: no From; >1: several). */
  readonly headerFromDomains: readonly string[];
  /** From header fields in the message (RFC 5322 §3.6 allows one). */
  readonly fromFields: number;
  readonly messageId: string | null;
  /** The List-Id header's identifier (RFC 2919), for the mailing_list override. */
  readonly listId: string | null;
  readonly spf: SpfOutcome;
  readonly dkim: readonly DkimSignature[];
  /** DKIM signatures not verified: over `[limits] max_dkim_signatures` (signature-cap.ts). */
  readonly dkimUnchecked: number;
  readonly dmarc: DmarcOutcome;
  readonly arc: ArcOutcome;
}

export interface Override {
  readonly type: OverrideType;
  readonly comment: string;
}

/** The DMARC policy that applies to this message (dmarc-policy.ts). */
export interface DmarcApplication {
  /** Which tag supplied the policy; null when no policy applies. */
  readonly tag: 'p' | 'sp' | 'np' | null;
  /** The policy as published for this message. */
  readonly requested: DmarcPolicy | null;
  /** After t=y / pct (one level weaker when testing). */
  readonly applied: DmarcPolicy | null;
  readonly overrides: readonly Override[];
}

export interface Verdict {
  readonly decision: Decision;
  readonly disposition: Disposition;
  /** Plain-language steps that led to the decision. */
  readonly reasons: readonly string[];
  /** Why the disposition differs from the published policy (RFC 9990 reason). */
  readonly overrides: readonly Override[];
}

export interface Evaluation {
  /** Epoch seconds. */
  readonly evaluatedAt: number;
  readonly auth: AuthOutcome;
  readonly dmarcPolicy: DmarcApplication;
  readonly verdict: Verdict;
  readonly authservId: string;
  /** `Authentication-Results: …` on one line. */
  readonly authenticationResults: string;
}
