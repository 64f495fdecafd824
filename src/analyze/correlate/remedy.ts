/**
 * What to do about a finding, as data: the remedy's kind and every name it needs, no words.
 * src/deliver/source-verdict-text.ts turns it into the `fix` sentence, and is the only place that
 * names a ruaflow command or setting in it.
 */

/** One of our signing keys. */
export interface KeyRef {
  readonly selector: string;
  readonly domain: string;
}

/** `domain`: our configured domain; `from`: the header From domain of the mail. */
export type Remedy =
  | { readonly kind: 'nothing' }
  // Our relays
  | { readonly kind: 'sign-with-our-domain'; readonly from: string; readonly domain: string }
  /** `strict`: the published policy says adkim=s. */
  | { readonly kind: 'key-of-its-own'; readonly from: string; readonly strict: boolean }
  | { readonly kind: 'publish-key-record'; readonly selector: string; readonly domain: string }
  | { readonly kind: 'compare-published-key'; readonly selector: string; readonly domain: string }
  /** `current`: the key to move to; null when no key is configured. */
  | { readonly kind: 'move-off-retired-selector'; readonly selector: string; readonly current: KeyRef | null }
  | { readonly kind: 'configure-keys'; readonly domain: string; readonly selector: string | null }
  | { readonly kind: 'sign-with-current-key'; readonly current: KeyRef | null }
  | { readonly kind: 'turn-on-signing'; readonly from: string; readonly domain: string }
  /** `mechanism`: the SPF mechanism that authorises the relay (`ip4:192.0.2.10`). */
  | { readonly kind: 'authorise-relay-in-spf'; readonly mechanism: string; readonly spfDomain: string }
  // Services
  | { readonly kind: 'align-service'; readonly service: string; readonly from: string }
  // Unknown sources
  | { readonly kind: 'nothing-forwarder-recognised' }
  | { readonly kind: 'list-relay-or-rotate-key'; readonly ip: string; readonly domain: string; readonly selector: string | null; readonly keyDomain: string }
  | { readonly kind: 'list-service-or-drop-from-spf'; readonly domain: string; readonly spfDomain: string }
  | { readonly kind: 'retire-key'; readonly selector: string; readonly keyDomain: string }
  | { readonly kind: 'list-service-or-remove-key'; readonly domain: string; readonly selector: string | null; readonly keyDomain: string }
  | { readonly kind: 'list-service-or-find-key-holder'; readonly domain: string; readonly keyDomain: string }
  | { readonly kind: 'nothing-unless-leaked-key'; readonly ip: string; readonly domain: string }
  | { readonly kind: 'nothing-list-rewrote' }
  /** The published policy for the From domain: `tag` p, or sp for a subdomain (RFC 7489 §6.3). */
  | { readonly kind: 'policy-rejects'; readonly tag: 'p' | 'sp' }
  | { readonly kind: 'policy-quarantines'; readonly tag: 'p' | 'sp' }
  /** `now`: the policy published today, null when none is known. */
  | { readonly kind: 'publish-enforcing-policy'; readonly tag: 'p' | 'sp'; readonly now: string | null };
