/**
 * The safeguards that decide whether a built report may go out at all (pure). They exist
 * because reporting to whoever publishes a rua is itself abusable (docs/sending-reports.md
 * "Safe by default"): reports to a spammer's address have had reporters listed, and two reporters
 * reporting on each other's reports make a loop.
 *
 * - deny_domains / allow_domains: a policy domain (or a parent of it) on the deny list never gets
 *   a report; with an allow list, only listed domains do.
 * - Report mail only: if every message from the domain in the period went to one of our own rua
 *   mailboxes, it was (almost surely) someone's aggregate report to us — reporting on it would
 *   start a loop.
 * - Rejected only, and never accepted: mail we rejected from a domain that never got a single
 *   message through is typically spam with a forged From; its rua may be a trap or a victim's.
 */
import { isUnder } from '../dmarc/domain-under.js';
import type { PolicyGroup } from './aggregate.js';

/** `mail.example.com` is covered by `example.com`. */
export function domainListed(domain: string, list: readonly string[]): boolean {
  const d = domain.toLowerCase();
  return list.some((entry) => isUnder(d, entry));
}

export interface SafetyInput {
  readonly allowDomains: readonly string[];
  readonly denyDomains: readonly string[];
  /** Did we ever accept (or quarantine) a message whose policy domain is this one? Asked only
   * when it matters (it is a database query). */
  readonly everAccepted: () => boolean;
}

export type SafetyVerdict = { readonly send: true } | { readonly send: false; readonly reason: string };

export function safetyVerdict(group: PolicyGroup, input: SafetyInput): SafetyVerdict {
  const domain = group.policyDomain;
  if (domainListed(domain, input.denyDomains)) return { send: false, reason: 'listed in [outbound] deny_domains' };
  if (input.allowDomains.length > 0 && !domainListed(domain, input.allowDomains)) return { send: false, reason: 'not listed in [outbound] allow_domains' };
  const evaluations = group.messages + group.skipped;
  if (group.rows.length === 0) return { send: false, reason: 'no message with a single header From domain' };
  if (group.reportMail === evaluations) return { send: false, reason: 'only report mail to our own rua mailbox (no report loops)' };
  if (group.rejected === evaluations && !input.everAccepted()) {
    return { send: false, reason: 'only mail we rejected, from a domain we never accepted mail from' };
  }
  return { send: true };
}
