/**
 * What a record shows, as data: the classifier's finding about one sending source, with every
 * fact a sentence about it needs and no words. src/deliver/source-verdict-text.ts turns it into
 * the `reason` sentence that is stored and printed.
 */

/** A DKIM signature as the classifier read it: lower-cased, `none` results dropped. */
export interface SeenSignature {
  readonly domain: string;
  readonly selector: string | null;
  readonly result: string;
}

/** The SPF result that matters (MAIL FROM's, RFC 7489 §3.1.2); null when the record has none. */
export type SeenSpf = { readonly domain: string; readonly result: string } | null;

/** What the record shows about authentication, for the sentences that list it. */
export interface Evidence {
  /** Every signature present. */
  readonly signatures: readonly SeenSignature[];
  readonly spf: SeenSpf;
}

/**
 * Why mail from our relay failed DKIM: the signature behind the cause (the most serious one
 * found), or none at all. `from` is the header From domain.
 */
export type DkimProblem =
  | { readonly kind: 'foreign-signer'; readonly signature: SeenSignature; readonly from: string }
  | { readonly kind: 'our-key-unaligned'; readonly signature: SeenSignature; readonly from: string }
  | { readonly kind: 'key-unavailable'; readonly signature: SeenSignature }
  | { readonly kind: 'key-mismatch'; readonly signature: SeenSignature }
  | { readonly kind: 'retired-selector'; readonly signature: SeenSignature }
  /** `ourSelectors` empty: no signing keys are configured for `domain`. */
  | { readonly kind: 'unknown-selector'; readonly signature: SeenSignature; readonly domain: string; readonly ourSelectors: readonly string[] }
  | { readonly kind: 'no-signature' };

/** How a configured service was recognised. */
export type ServiceMatch =
  | { readonly by: 'ip'; readonly ip: string }
  | { readonly by: 'ptr'; readonly host: string }
  /** The passing signatures of the service's signing domains. */
  | { readonly by: 'dkim'; readonly signatures: readonly SeenSignature[] };

/** `ip` is the source as shown in messages (ip-ranges.ts displayIp); `domain` our configured domain. */
export type Finding =
  // Our relays
  | {
      readonly kind: 'relay-dkim-fail';
      readonly ip: string;
      readonly problem: DkimProblem;
      /** What DMARC rests on instead: nothing to add (DKIM passes with a key we do not manage),
       * SPF alone, or the SPF result when DMARC fails. */
      readonly dmarc: { readonly kind: 'dkim-passes' } | { readonly kind: 'spf-alone' } | { readonly kind: 'spf'; readonly spf: SeenSpf };
    }
  | { readonly kind: 'relay-spf-fail'; readonly ip: string; readonly spf: { readonly domain: string; readonly result: string } }
  /** `signature`: our passing signature shown, null when none of ours is among the passing ones. */
  | { readonly kind: 'relay-pass'; readonly ip: string; readonly signature: SeenSignature | null; readonly spf: SeenSpf }
  // Services
  | { readonly kind: 'service-pass'; readonly service: string; readonly match: ServiceMatch; readonly via: 'dkim' | 'spf-only' }
  | { readonly kind: 'service-fail'; readonly service: string; readonly match: ServiceMatch; readonly from: string; readonly evidence: Evidence }
  // Unknown sources
  | { readonly kind: 'forwarder-said-so'; readonly ip: string; readonly override: string; readonly evidence: Evidence }
  | { readonly kind: 'unlisted-relay-or-leaked-key'; readonly ip: string; readonly spfDomain: string; readonly signature: SeenSignature }
  | { readonly kind: 'unlisted-spf-host'; readonly ip: string; readonly domain: string; readonly spfDomain: string }
  | { readonly kind: 'retired-selector-in-use'; readonly ip: string; readonly signature: SeenSignature }
  | { readonly kind: 'unused-key-signs'; readonly ip: string; readonly signature: SeenSignature }
  | { readonly kind: 'unlisted-signer'; readonly ip: string; readonly signature: SeenSignature; readonly from: string }
  /** `signature`: ours that passes (null only when the reporter's word and the signatures disagree). */
  | { readonly kind: 'relayed-with-our-signature'; readonly ip: string; readonly signature: SeenSignature | null; readonly spf: SeenSpf }
  | { readonly kind: 'broken-by-list'; readonly ip: string; readonly signature: SeenSignature; readonly spf: SeenSpf }
  | { readonly kind: 'spoof'; readonly ip: string; readonly domain: string; readonly evidence: Evidence };
