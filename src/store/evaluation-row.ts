/**
 * One evaluation as the evaluations tables hold it (schema/sql/002_evaluations.sql): a message we
 * received and checked, recorded by `ruaflow verify` / `serve`, read back to build outbound
 * aggregate reports. The types live with the store that writes and reads them; receiver/aggregate.ts
 * turns them into report rows.
 */

/**
 * The policy configuration that shaped an evaluation: the published tags and how the record was
 * found. RFC 9990 §2: one report covers exactly one policy domain and one policy configuration.
 */
export interface PolicyConfig {
  readonly p: string | null;
  readonly sp: string | null;
  readonly np: string | null;
  readonly adkim: string | null;
  readonly aspf: string | null;
  readonly fo: string | null;
  readonly testing: string | null;
  readonly pct: number | null;
  readonly discoveryMethod: string | null;
}

export interface EvaluationDkim {
  readonly domain: string;
  readonly selector: string;
  readonly result: string;
  readonly reason: string | null;
  /** d= aligns with the header From domain. */
  readonly aligned: boolean;
}

export interface EvaluationReason {
  readonly type: string;
  readonly comment: string | null;
}

/** One evaluation as the report needs it (read by evaluations-read.ts). */
export interface Evaluation {
  readonly id: number;
  readonly evaluatedAt: number;
  readonly sourceIp: string;
  /** The MAIL FROM domain; '' for the null reverse-path, null when unknown. */
  readonly envelopeFromDomain: string | null;
  readonly headerFrom: string | null;
  readonly spfDomain: string | null;
  readonly spfScope: string | null;
  readonly spfResult: string | null;
  readonly policyDomain: string;
  readonly policy: PolicyConfig;
  readonly rua: string | null;
  readonly dkimAligned: string | null;
  readonly spfAligned: string | null;
  readonly disposition: string | null;
  /** What we did: accept | quarantine | defer | reject. */
  readonly decision: string;
  /** RCPT TO addresses, in order. */
  readonly recipients: readonly string[];
  readonly dkim: readonly EvaluationDkim[];
  readonly reasons: readonly EvaluationReason[];
}
