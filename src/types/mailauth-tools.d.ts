/**
 * The one helper we use from mailauth's untyped lib/tools.js: DMARC alignment, which compares
 * organisational domains through the Public Suffix List (tldts, RFC 7489 §3.2). Reusing it keeps
 * one PSL in the program instead of a second, hand-rolled one.
 */
declare module 'mailauth/lib/tools.js' {
  /** The first entry of `domains` aligned with `fromDomain` (identical when strict, same
   * organisational domain when relaxed), or false. */
  export function getAlignment<T extends { domain: string }>(fromDomain: string, domains: readonly (T | string)[], strict: boolean): T | false;
}
