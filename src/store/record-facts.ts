/**
 * One stored record as the source classifier reads it (src/analyze/correlate/classify.ts). The
 * store fills it (record-classes.ts), so the type lives here, with its lowest user.
 */

/** What a stored record says, as the classifier needs it. Words are the normalised vocabulary
 * (src/report/vocabulary.ts); unknown words are passed as written. */
export interface RecordFacts {
  readonly sourceIp: string;
  readonly headerFrom: string | null;
  readonly policyDomain: string;
  /** policy_evaluated/dkim and /spf: the reporter's aligned outcomes. */
  readonly dkimAligned: string | null;
  readonly spfAligned: string | null;
  /** policy_published adkim / aspf / p / sp of the report. */
  readonly adkim: string | null;
  readonly aspf: string | null;
  readonly p: string | null;
  readonly sp: string | null;
  readonly dkim: readonly { readonly domain: string; readonly selector: string | null; readonly result: string }[];
  readonly spf: readonly { readonly domain: string; readonly scope: string | null; readonly result: string }[];
  readonly reasons: readonly { readonly type: string; readonly comment: string | null }[];
}
