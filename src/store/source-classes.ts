/**
 * What a sending source is, measured against what should be sending for our domains.
 *
 * Glossary
 * - source: the IP address a report's record names (`row/source_ip`): the host that handed the
 *   messages to the reporter.
 * - relay: one of our own outbound MTAs (`[[domains]] relays`).
 * - service: a third party we allow to send as the domain (`[[domains]] services`), matched by
 *   IP range, forward-confirmed PTR name, or a passing DKIM signature of its signing domain.
 * - our selector: a selector we sign with (the key directory or `keys`, src/app/signing-keys.ts);
 *   a retired selector is one we used to sign with (`retired_selectors`).
 * - aligned: the DKIM d= or SPF MAIL FROM domain matches the header From domain (RFC 7489
 *   §3.1); DMARC passes when either aligned identifier passes (RFC 7489 §4.2).
 *
 * Class names are stable: they are stored (`record_classes.class`), printed and in `--json`. They
 * live with the store, the lowest layer that reads them; the classifier
 * (src/analyze/correlate/classify.ts) decides them.
 */

export const SOURCE_CLASSES = [
  'ours-pass',
  'ours-dkim-fail',
  'ours-spf-fail',
  'service-pass',
  'service-fail',
  'forwarded',
  'unknown-pass',
  'spoof',
] as const;
export type SourceClass = (typeof SOURCE_CLASSES)[number];

/** Why mail from our own relay failed DKIM (class `ours-dkim-fail`). */
export const DKIM_FAIL_CAUSES = [
  /** No DKIM signature at all: the relay does not sign. */
  'no-signature',
  /** Our d=, a selector we do not have. */
  'unknown-selector',
  /** Our d=, a selector in retired_selectors. */
  'retired-selector',
  /** Our d= and selector, and the signature did not verify: DNS and private key disagree (or the body changed). */
  'key-mismatch',
  /** Our d= and selector, and the key could not be fetched or used (temperror / permerror). */
  'key-unavailable',
  /** Only signatures whose d= does not align with the From domain. */
  'not-aligned',
] as const;
export type DkimFailCause = (typeof DKIM_FAIL_CAUSES)[number];

/** How a source was recognised: relay (an IP in relays), or a service by ip / ptr / dkim. */
export type MatchedBy = 'relay' | 'ip' | 'ptr' | 'dkim';
