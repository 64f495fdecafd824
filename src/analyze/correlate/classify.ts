/**
 * One record of a report, explained against what should be sending for our domain (pure).
 *
 * Precedence — the first question that has an answer decides:
 *   1. Who sent it? An IP in `relays` is ours; otherwise a service matched by IP range, then by
 *      forward-confirmed PTR-name suffix, then by a passing DKIM signature of its signing domain;
 *      otherwise an unknown source. Our relays win over services (the more specific knowledge).
 *   2. Ours: DKIM first — an aligned passing signature with one of our current keys is what DMARC
 *      should rest on, since it survives forwarding and SPF does not (RFC 7489 §4.2; RFC 7960 §3
 *      on indirect flows). Without it (a passing signature with a retired or unknown selector
 *      counts as without) the record is `ours-dkim-fail` with the cause, whatever SPF says; with
 *      it, SPF that does not pass for the envelope domain makes it `ours-spf-fail`; else
 *      `ours-pass`.
 *   3. A service: DMARC passes → `service-pass`, else `service-fail`.
 *   4. Unknown source:
 *      a. the reporter says it was forwarded (override reason forwarded, mailing_list,
 *         trusted_forwarder, or local_policy / other with an ARC result in the comment, RFC 8617)
 *         → `forwarded`;
 *      b. DMARC passes: by aligned SPF (our SPF record authorises an unlisted host), or by a
 *         signature that is not one of our current keys (a selector we do not sign with, a
 *         retired one that still verifies, a foreign aligned d=) → `unknown-pass`; by our own
 *         key with SPF failing → `forwarded` (our mail, relayed on; a leaked key looks the same,
 *         which the fix says; with no keys configured, any signature of our domain counts as
 *         ours);
 *      c. DMARC fails but our own key's signature is there, broken (a list that rewrote the
 *         subject or body) → `forwarded`;
 *      d. otherwise → `spoof`.
 */
import type { DkimFailCause, SourceClass } from '../../store/source-classes.js';
import type { RecordFacts } from '../../store/record-facts.js';
import type { Classification } from './classification.js';
import type { DkimProblem, Evidence, Finding, SeenSignature, SeenSpf, ServiceMatch } from './finding.js';
import type { KeyRef, Remedy } from './remedy.js';
import { displayIp, parseAddress, spfMechanism, type Address } from './ip-ranges.js';
import { isUnder } from '../../dmarc/domain-under.js';
import { serviceByOrigin, type DomainProfile, type ServiceProfile } from './profile.js';

/** Classify one record of `profile`'s domain. `ptrName`: the source's forward-confirmed PTR name,
 * null when it has none or it is not known. */
export function classifyRecord(facts: RecordFacts, profile: DomainProfile, ptrName: string | null): Classification {
  const r = read(facts, profile);
  const address = parseAddress(facts.sourceIp);
  if (profile.relays.contains(address)) return ours(r, profile);
  const service = matchService(address, ptrName, r.passing, profile.services);
  if (service !== null) return serviceClass(r, service.service, service.by, ptrName);
  return unknown(r, profile);
}

// ---------------------------------------------------------------------------------------------
// What the record shows

interface Reading {
  readonly facts: RecordFacts;
  /** The source as shown in messages (src/analyze/correlate/ip-ranges.ts displayIp). */
  readonly ip: string;
  /** The header From domain (or the policy domain when the reporter left it out). */
  readonly from: string;
  /** Signatures present: results other than `none` (RFC 8601 §2.7.1: none = not signed). */
  readonly signatures: readonly SeenSignature[];
  readonly passing: readonly SeenSignature[];
  readonly dkimPass: boolean;
  readonly spfPass: boolean;
  readonly dmarcPass: boolean;
  /** The SPF result that matters: MAIL FROM's (RFC 7489 §3.1.2), else the first. */
  readonly spf: SeenSpf;
}

const lower = (s: string | null): string => (s ?? '').trim().toLowerCase().replace(/\.$/, '');

function read(facts: RecordFacts, profile: DomainProfile): Reading {
  const from = lower(facts.headerFrom) || lower(facts.policyDomain);
  const signatures = facts.dkim
    .map((d) => ({ domain: lower(d.domain), selector: d.selector === null ? null : lower(d.selector), result: lower(d.result) }))
    .filter((d) => d.result !== 'none' && d.domain !== '');
  const passing = signatures.filter((d) => d.result === 'pass');
  const spfRows = facts.spf.map((s) => ({ domain: lower(s.domain), scope: lower(s.scope), result: lower(s.result) }));
  const spf = spfRows.find((s) => s.scope === 'mfrom' || s.scope === '') ?? spfRows[0] ?? null;

  // The reporter's policy_evaluated is the authority on alignment; without it, judge from the
  // raw results (relaxed alignment approximated by "both under our domain", RFC 7489 §3.1.1).
  const aligned = (d: string, mode: string | null): boolean =>
    mode === 's' ? d === from : d === from || isUnder(d, from) || isUnder(from, d) || (isUnder(d, profile.name) && isUnder(from, profile.name));
  const dkimPass = facts.dkimAligned !== null ? lower(facts.dkimAligned) === 'pass' : passing.some((d) => aligned(d.domain, facts.adkim));
  const spfPass =
    facts.spfAligned !== null
      ? lower(facts.spfAligned) === 'pass'
      : spfRows.some((s) => s.result === 'pass' && s.scope !== 'helo' && aligned(s.domain, facts.aspf));
  return {
    facts,
    ip: displayIp(facts.sourceIp),
    from,
    signatures,
    passing,
    dkimPass,
    spfPass,
    dmarcPass: dkimPass || spfPass,
    spf: spf === null ? null : { domain: spf.domain, result: spf.result },
  };
}

/** Is d= one of ours: the domain, under it, or a signing domain of one of our keys? */
const ourDomain = (d: string, profile: DomainProfile): boolean => profile.signingDomains.some((s) => isUnder(d, s));
const ourKey = (s: SeenSignature, profile: DomainProfile): boolean =>
  s.selector !== null && profile.keys.some((k) => k.selector === s.selector && isUnder(s.domain, k.domain));

const evidence = (r: Reading): Evidence => ({ signatures: r.signatures, spf: r.spf });

function result(
  cls: SourceClass,
  finding: Finding,
  remedy: Remedy,
  extra: Partial<Pick<Classification, 'cause' | 'service' | 'matchedBy'>> = {},
): Classification {
  return { class: cls, cause: extra.cause ?? null, service: extra.service ?? null, matchedBy: extra.matchedBy ?? null, finding, remedy };
}

const NOTHING: Remedy = { kind: 'nothing' };

// ---------------------------------------------------------------------------------------------
// Our relays

function ours(r: Reading, profile: DomainProfile): Classification {
  const relay = { matchedBy: 'relay' as const };
  // A passing aligned signature made with a key we do not manage (a retired selector whose record
  // is still published, a selector we have no key for) is a problem of our setup all the same:
  // removing that record, as retiring it intends, breaks this mail.
  const ownKeyPasses = profile.keys.length === 0 || r.passing.some((s) => ourKey(s, profile));
  if (!r.dkimPass || !ownKeyPasses) {
    const { cause, problem, remedy } = dkimFailure(r, profile);
    const dmarc = r.dkimPass ? ({ kind: 'dkim-passes' } as const) : r.spfPass ? ({ kind: 'spf-alone' } as const) : ({ kind: 'spf', spf: r.spf } as const);
    return result('ours-dkim-fail', { kind: 'relay-dkim-fail', ip: r.ip, problem, dmarc }, remedy, { ...relay, cause });
  }
  // SPF that passes for some other envelope domain (a bounce address elsewhere) is not a
  // problem of our relay's authorisation; only a failing check of the envelope domain is.
  const spfOk = r.spfPass || r.spf === null || r.spf.result === 'pass';
  if (!spfOk && r.spf !== null) {
    return result(
      'ours-spf-fail',
      { kind: 'relay-spf-fail', ip: r.ip, spf: r.spf },
      { kind: 'authorise-relay-in-spf', mechanism: spfMechanism(r.facts.sourceIp), spfDomain: r.spf.domain },
      relay,
    );
  }
  const shown = r.passing.find((s) => ourDomain(s.domain, profile)) ?? null;
  return result('ours-pass', { kind: 'relay-pass', ip: r.ip, signature: shown, spf: r.spf }, NOTHING, relay);
}

const CAUSE_ORDER: readonly DkimFailCause[] = ['key-mismatch', 'key-unavailable', 'retired-selector', 'unknown-selector', 'not-aligned', 'no-signature'];

interface DkimFailure {
  readonly cause: DkimFailCause;
  readonly problem: DkimProblem;
  readonly remedy: Remedy;
}

function dkimFailure(r: Reading, profile: DomainProfile): DkimFailure {
  const found: DkimFailure[] = [];
  for (const s of r.signatures) {
    if (!ourDomain(s.domain, profile)) {
      found.push({
        cause: 'not-aligned',
        problem: { kind: 'foreign-signer', signature: s, from: r.from },
        remedy: { kind: 'sign-with-our-domain', from: r.from, domain: profile.name },
      });
    } else if (ourKey(s, profile)) {
      const selector = s.selector ?? '';
      if (s.result === 'pass') {
        // Our key verifies but does not align: a symlinked key folder or strict adkim.
        found.push({
          cause: 'not-aligned',
          problem: { kind: 'our-key-unaligned', signature: s, from: r.from },
          remedy: { kind: 'key-of-its-own', from: r.from, strict: r.facts.adkim === 's' },
        });
      } else if (s.result === 'temperror' || s.result === 'permerror') {
        found.push({
          cause: 'key-unavailable',
          problem: { kind: 'key-unavailable', signature: s },
          remedy: { kind: 'publish-key-record', selector, domain: s.domain },
        });
      } else {
        found.push({
          cause: 'key-mismatch',
          problem: { kind: 'key-mismatch', signature: s },
          remedy: { kind: 'compare-published-key', selector, domain: s.domain },
        });
      }
    } else if (s.selector !== null && profile.retiredSelectors.has(s.selector)) {
      found.push({
        cause: 'retired-selector',
        problem: { kind: 'retired-selector', signature: s },
        remedy: { kind: 'move-off-retired-selector', selector: s.selector, current: currentKey(profile) },
      });
    } else {
      found.push({
        cause: 'unknown-selector',
        problem: { kind: 'unknown-selector', signature: s, domain: profile.name, ourSelectors: profile.keys.map((k) => k.selector) },
        remedy:
          profile.keys.length === 0
            ? { kind: 'configure-keys', domain: profile.name, selector: s.selector }
            : { kind: 'sign-with-current-key', current: currentKey(profile) },
      });
    }
  }
  found.sort((a, b) => CAUSE_ORDER.indexOf(a.cause) - CAUSE_ORDER.indexOf(b.cause));
  return (
    found[0] ?? {
      cause: 'no-signature',
      problem: { kind: 'no-signature' },
      remedy: { kind: 'turn-on-signing', from: r.from, domain: profile.name },
    }
  );
}

/** The key to move to: the first configured one. */
const currentKey = (profile: DomainProfile): KeyRef | null => {
  const k = profile.keys[0];
  return k === undefined ? null : { selector: k.selector, domain: k.domain };
};

// ---------------------------------------------------------------------------------------------
// Services

function matchService(
  ip: Address | null,
  ptrName: string | null,
  passing: readonly SeenSignature[],
  services: readonly ServiceProfile[],
): { service: ServiceProfile; by: 'ip' | 'ptr' | 'dkim' } | null {
  const origin = serviceByOrigin(ip, ptrName, services);
  if (origin !== null) return origin;
  for (const service of services) {
    if (passing.some((s) => service.dkim.some((d) => isUnder(s.domain, d)))) return { service, by: 'dkim' };
  }
  return null;
}

function serviceClass(r: Reading, service: ServiceProfile, by: 'ip' | 'ptr' | 'dkim', ptrName: string | null): Classification {
  const match: ServiceMatch =
    by === 'ip'
      ? { by, ip: r.ip }
      : by === 'ptr'
        ? { by, host: ptrName ?? '' }
        : { by, signatures: r.passing.filter((s) => service.dkim.some((d) => isUnder(s.domain, d))) };
  const extra = { service: service.name, matchedBy: by };
  if (r.dmarcPass) {
    return result('service-pass', { kind: 'service-pass', service: service.name, match, via: r.dkimPass ? 'dkim' : 'spf-only' }, NOTHING, extra);
  }
  return result(
    'service-fail',
    { kind: 'service-fail', service: service.name, match, from: r.from, evidence: evidence(r) },
    { kind: 'align-service', service: service.name, from: r.from },
    extra,
  );
}

// ---------------------------------------------------------------------------------------------
// Unknown sources

/** The reporter's own word that the mail was forwarded (RFC 7489 §6.6.3 PolicyOverrideType;
 * Google and Microsoft put ARC results in local_policy / other comments, RFC 8617). */
function forwardingOverride(facts: RecordFacts): string | null {
  for (const x of facts.reasons) {
    const type = lower(x.type);
    const comment = x.comment?.trim() ?? '';
    if (type === 'forwarded' || type === 'mailing_list' || type === 'trusted_forwarder') {
      return comment === '' ? type : `${type}: ${comment}`;
    }
    if ((type === 'local_policy' || type === 'other') && /\barc\b/i.test(comment) && !/\barc=(fail|none)\b/i.test(comment)) {
      return `${type}: ${comment}`;
    }
  }
  return null;
}

function unknown(r: Reading, profile: DomainProfile): Classification {
  const override = forwardingOverride(r.facts);
  if (override !== null) {
    return result('forwarded', { kind: 'forwarder-said-so', ip: r.ip, override, evidence: evidence(r) }, { kind: 'nothing-forwarder-recognised' });
  }
  const ourKeys = r.signatures.filter((s) => ourKey(s, profile) || (profile.keys.length === 0 && ourDomain(s.domain, profile)));
  const passingOurKey = ourKeys.find((s) => s.result === 'pass');
  if (r.dmarcPass) {
    if (r.spfPass) {
      const spfDomain = r.spf?.domain ?? r.from;
      if (passingOurKey !== undefined) {
        return result(
          'unknown-pass',
          { kind: 'unlisted-relay-or-leaked-key', ip: r.ip, spfDomain, signature: passingOurKey },
          { kind: 'list-relay-or-rotate-key', ip: r.ip, domain: profile.name, selector: passingOurKey.selector, keyDomain: passingOurKey.domain },
        );
      }
      return result(
        'unknown-pass',
        { kind: 'unlisted-spf-host', ip: r.ip, domain: profile.name, spfDomain },
        { kind: 'list-service-or-drop-from-spf', domain: profile.name, spfDomain },
      );
    }
    const foreign = r.passing.find((s) => !ourKey(s, profile) && !(profile.keys.length === 0 && ourDomain(s.domain, profile)));
    if (passingOurKey === undefined && foreign !== undefined) {
      if (foreign.selector !== null && profile.retiredSelectors.has(foreign.selector) && ourDomain(foreign.domain, profile)) {
        return result(
          'unknown-pass',
          { kind: 'retired-selector-in-use', ip: r.ip, signature: foreign },
          { kind: 'retire-key', selector: foreign.selector, keyDomain: foreign.domain },
        );
      }
      if (ourDomain(foreign.domain, profile)) {
        return result(
          'unknown-pass',
          { kind: 'unused-key-signs', ip: r.ip, signature: foreign },
          { kind: 'list-service-or-remove-key', domain: profile.name, selector: foreign.selector, keyDomain: foreign.domain },
        );
      }
      return result(
        'unknown-pass',
        { kind: 'unlisted-signer', ip: r.ip, signature: foreign, from: r.from },
        { kind: 'list-service-or-find-key-holder', domain: profile.name, keyDomain: foreign.domain },
      );
    }
    const key = passingOurKey ?? r.passing[0] ?? null;
    return result(
      'forwarded',
      { kind: 'relayed-with-our-signature', ip: r.ip, signature: key, spf: r.spf },
      { kind: 'nothing-unless-leaked-key', ip: r.ip, domain: profile.name },
    );
  }
  const broken = ourKeys.find((s) => s.result === 'fail');
  if (broken !== undefined) {
    return result('forwarded', { kind: 'broken-by-list', ip: r.ip, signature: broken, spf: r.spf }, { kind: 'nothing-list-rewrote' });
  }
  return result('spoof', { kind: 'spoof', ip: r.ip, domain: profile.name, evidence: evidence(r) }, spoofRemedy(r));
}

function spoofRemedy(r: Reading): Remedy {
  const sub = r.from !== lower(r.facts.policyDomain) && r.facts.sp !== null;
  const policy = lower(sub ? r.facts.sp : r.facts.p);
  const tag = sub ? 'sp' : 'p';
  if (policy === 'reject') return { kind: 'policy-rejects', tag };
  if (policy === 'quarantine') return { kind: 'policy-quarantines', tag };
  return { kind: 'publish-enforcing-policy', tag, now: policy === '' ? null : policy };
}
