/**
 * Our receiver policy (pure): seed 000's Exim DKIM ACL, with the DMARC policy applied on top.
 *
 * 1. DKIM, as the ACL does it (sender domains: MAIL FROM's and the From header's):
 *    - a known signer (`[policy] known_signers`, the domain or a subdomain) must present a
 *      passing signature of its own domain, or the message is rejected;
 *    - no signature at all: accept;
 *    - a passing signature: accept;
 *    - a domain on `[policy] dkim_whitelist`: accepted despite broken DKIM;
 *    - otherwise at face value: a signature that could not be checked (no key, an unusable key,
 *      a DNS failure: seed 000's "invalid") defers; a failing one rejects.
 * 2. DMARC (RFC 9989 §5.3): when it fails, the applied policy (dmarc-policy.ts) quarantines or
 *    rejects — unless an ARC chain sealed by a `[policy] trusted_forwarders` domain passes
 *    (trusted_forwarder, RFC 8617 §7.2) or the sender is on the DKIM whitelist (mailing_list
 *    when the message has a List-Id, else local_policy). A DMARC temperror defers.
 * 3. The decision is the stronger of the two (reject > defer > quarantine > accept). When the
 *    local policy is stronger than what DMARC asked for, the disposition follows it and the
 *    reason is local_policy (RFC 9990 §3 "reason").
 */
import type { AuthOutcome, Decision, Disposition, DmarcApplication, DkimSignature, Override, Verdict } from './types.js';
import { isUnder } from '../dmarc/domain-under.js';

export interface ReceiverPolicy {
  readonly knownSigners: readonly string[];
  readonly dkimWhitelist: readonly string[];
  readonly trustedForwarders: readonly string[];
}

const STRENGTH: Readonly<Record<Decision, number>> = { accept: 0, quarantine: 1, defer: 2, reject: 3 };


const firstMatch = (domains: readonly string[], list: readonly string[]): string | null => {
  for (const d of domains) for (const entry of list) if (isUnder(d, entry)) return entry;
  return null;
};

export const domainOfAddress = (address: string): string => {
  const at = address.lastIndexOf('@');
  return (at < 0 ? address : address.slice(at + 1)).trim().toLowerCase().replace(/\.$/, '');
};

const describe = (s: DkimSignature): string => `d=${s.domain} s=${s.selector}${s.reason !== null ? ` (${s.reason})` : ''}`;

export function decide(auth: AuthOutcome, dmarcPolicy: DmarcApplication, policy: ReceiverPolicy): Verdict {
  const reasons: string[] = [];
  const mailFromDomain = auth.envelope.mailFrom === '' ? '' : domainOfAddress(auth.envelope.mailFrom);
  const senderDomains = [...new Set([mailFromDomain, ...auth.headerFromDomains].filter((d) => d !== ''))];
  const whitelisted = firstMatch(senderDomains, policy.dkimWhitelist);

  // 1. DKIM (seed 000)
  let local: Decision;
  const passing = auth.dkim.filter((s) => s.status === 'pass');
  const known = firstMatch(senderDomains, policy.knownSigners);
  if (known !== null) {
    const good = passing.find((s) => isUnder(s.domain, known));
    if (good !== undefined) {
      local = 'accept';
      reasons.push(`known signer ${known}: passing signature d=${good.domain}`);
    } else {
      local = 'reject';
      reasons.push(`known signer ${known} without a passing signature`);
    }
  } else if (auth.dkim.length === 0) {
    local = 'accept';
    reasons.push('no DKIM signature');
  } else if (passing.length > 0) {
    local = 'accept';
    reasons.push(`DKIM pass ${passing.map((s) => `d=${s.domain}`).join(' ')}`);
  } else if (whitelisted !== null) {
    local = 'accept';
    reasons.push(`${whitelisted} is on the DKIM whitelist: broken DKIM accepted`);
  } else {
    const invalid = auth.dkim.find((s) => s.status === 'invalid');
    if (invalid !== undefined) {
      local = 'defer';
      reasons.push(`DKIM cannot be verified: ${describe(invalid)}`);
    } else {
      local = 'reject';
      reasons.push(`DKIM fail: ${auth.dkim.map(describe).join(', ')}`);
    }
  }

  // 2. DMARC on top
  const dmarc = auth.dmarc;
  const overrides: Override[] = [];
  let disposition: Disposition = 'none';
  let fromDmarc: Decision = 'accept';
  const requested = dmarcPolicy.requested;
  const policyText = requested === null ? 'no policy' : `${dmarcPolicy.tag ?? 'p'}=${requested}`;
  if (dmarc.result === 'pass') {
    disposition = requested !== null && requested !== 'none' ? 'pass' : 'none';
    reasons.push(`DMARC pass (${policyText})`);
  } else if (dmarc.result === 'fail') {
    const applied = dmarcPolicy.applied ?? 'none';
    overrides.push(...dmarcPolicy.overrides);
    disposition = applied;
    reasons.push(`DMARC fail: ${policyText}${applied !== requested ? `, applied as ${applied}` : ''}`);
    if (applied !== 'none') {
      const sealer = auth.arc.result === 'pass' ? auth.arc.sealer : null;
      const forwarder = sealer === null ? null : firstMatch([sealer], policy.trustedForwarders);
      if (forwarder !== null) {
        overrides.push({ type: 'trusted_forwarder', comment: `ARC chain sealed by ${sealer ?? ''} (trusted forwarder ${forwarder}) passes` });
        disposition = 'none';
        reasons.push(`trusted forwarder ${forwarder}: DMARC policy not applied`);
      } else if (whitelisted !== null) {
        const type = auth.listId !== null ? 'mailing_list' : 'local_policy';
        overrides.push({ type, comment: `${whitelisted} is on the DKIM whitelist${auth.listId !== null ? ` (List-Id ${auth.listId})` : ''}` });
        disposition = 'none';
        reasons.push(`${whitelisted} is on the DKIM whitelist: DMARC policy not applied`);
      }
    }
    fromDmarc = disposition === 'reject' ? 'reject' : disposition === 'quarantine' ? 'quarantine' : 'accept';
  } else if (dmarc.result === 'temperror') {
    fromDmarc = 'defer';
    reasons.push(`DMARC temperror${dmarc.comment !== null ? `: ${dmarc.comment}` : ''}`);
  } else {
    reasons.push(`DMARC ${dmarc.result}${dmarc.comment !== null ? `: ${dmarc.comment}` : ''}`);
  }

  // 3. The stronger of the two.
  const decision: Decision = STRENGTH[local] >= STRENGTH[fromDmarc] ? local : fromDmarc;
  if ((decision === 'reject' || decision === 'quarantine') && rank(disposition) < rank(decision)) {
    overrides.push({ type: 'local_policy', comment: reasons[0] ?? 'local policy' });
    disposition = decision;
  }
  return { decision, disposition, reasons, overrides };
}

/** How strongly a disposition acts on the message. */
const rank = (d: Disposition | Decision): number => (d === 'reject' ? 2 : d === 'quarantine' ? 1 : 0);
