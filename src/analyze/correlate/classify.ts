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
import type { Classification, DkimFailCause, SourceClass } from './classes.js';
import { displayIp, parseAddress, spfMechanism, type Address } from './ip-ranges.js';
import { isUnder } from '../../dmarc/domain-under.js';
import { serviceByOrigin, type DomainProfile, type ServiceProfile } from './profile.js';

/** What a stored record says, as the classifier needs it. Words are the normalised vocabulary
 * (src/report/aggregate/vocabulary.ts); unknown words are passed as written. */
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

interface Signature {
  readonly domain: string;
  readonly selector: string | null;
  readonly result: string;
}

interface Reading {
  readonly facts: RecordFacts;
  /** The source as shown in messages (src/analyze/correlate/ip-ranges.ts displayIp). */
  readonly ip: string;
  /** The header From domain (or the policy domain when the reporter left it out). */
  readonly from: string;
  /** Signatures present: results other than `none` (RFC 8601 §2.7.1: none = not signed). */
  readonly signatures: readonly Signature[];
  readonly passing: readonly Signature[];
  readonly dkimPass: boolean;
  readonly spfPass: boolean;
  readonly dmarcPass: boolean;
  /** The SPF result that matters: MAIL FROM's (RFC 7489 §3.1.2), else the first. */
  readonly spf: { readonly domain: string; readonly result: string } | null;
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

const sig = (s: Signature): string => `d=${s.domain}${s.selector === null ? '' : ` s=${s.selector}`}`;
const sigList = (list: readonly Signature[]): string => list.map((s) => `${sig(s)} (${s.result})`).join(', ');
const spfText = (r: Reading): string => (r.spf === null ? 'no SPF result' : `SPF ${r.spf.result} for ${r.spf.domain}`);
const dkimText = (r: Reading): string => (r.signatures.length === 0 ? 'no DKIM signature' : `DKIM ${sigList(r.signatures)}`);

/** Is d= one of ours: the domain, under it, or a signing domain of one of our keys? */
const ourDomain = (d: string, profile: DomainProfile): boolean => profile.signingDomains.some((s) => isUnder(d, s));
const ourKey = (s: Signature, profile: DomainProfile): boolean =>
  s.selector !== null && profile.keys.some((k) => k.selector === s.selector && isUnder(s.domain, k.domain));

function result(cls: SourceClass, reason: string, fix: string, extra: Partial<Pick<Classification, 'cause' | 'service' | 'matchedBy'>> = {}): Classification {
  return { class: cls, cause: extra.cause ?? null, service: extra.service ?? null, matchedBy: extra.matchedBy ?? null, reason, fix };
}

// ---------------------------------------------------------------------------------------------
// Our relays

function ours(r: Reading, profile: DomainProfile): Classification {
  const relay = { matchedBy: 'relay' as const };
  // A passing aligned signature made with a key we do not manage (a retired selector whose record
  // is still published, a selector we have no key for) is a problem of our setup all the same:
  // removing that record, as retiring it intends, breaks this mail.
  const ownKeyPasses = profile.keys.length === 0 || r.passing.some((s) => ourKey(s, profile));
  if (!r.dkimPass || !ownKeyPasses) {
    const { cause, reason, fix } = dkimFailure(r, profile);
    const tail = r.dkimPass ? '' : r.spfPass ? ' (DMARC passes on SPF alone, which forwarding breaks)' : `; ${spfText(r)}`;
    return result('ours-dkim-fail', `our relay ${r.ip}: ${reason}${tail}`, fix, { ...relay, cause });
  }
  // SPF that passes for some other envelope domain (a bounce address elsewhere) is not a
  // problem of our relay's authorisation; only a failing check of the envelope domain is.
  const spfOk = r.spfPass || r.spf === null || r.spf.result === 'pass';
  if (!spfOk && r.spf !== null) {
    return result(
      'ours-spf-fail',
      `our relay ${r.ip} signs correctly, but SPF ${r.spf.result} for the envelope domain ${r.spf.domain}: the relay is not authorised in its SPF record`,
      `Add ${spfMechanism(r.facts.sourceIp)} (or the relay's range) to the SPF record of ${r.spf.domain}.`,
      relay,
    );
  }
  return result('ours-pass', `our relay ${r.ip}: DKIM ${sigList(r.passing.filter((s) => ourDomain(s.domain, profile)).slice(0, 1)) || 'passes'}, ${spfText(r)}`, 'Nothing to do.', relay);
}

const CAUSE_ORDER: readonly DkimFailCause[] = ['key-mismatch', 'key-unavailable', 'retired-selector', 'unknown-selector', 'not-aligned', 'no-signature'];

function dkimFailure(r: Reading, profile: DomainProfile): { cause: DkimFailCause; reason: string; fix: string } {
  const found: { cause: DkimFailCause; reason: string; fix: string }[] = [];
  for (const s of r.signatures) {
    if (!ourDomain(s.domain, profile)) {
      found.push({
        cause: 'not-aligned',
        reason: `signed only by ${sig(s)} (${s.result}), which does not align with ${r.from}`,
        fix: `Sign ${r.from} mail on the relay with d=${profile.name} (or a subdomain), using a key of ours.`,
      });
    } else if (ourKey(s, profile)) {
      if (s.result === 'pass') {
        // Our key verifies but does not align: a symlinked key folder or strict adkim.
        found.push({
          cause: 'not-aligned',
          reason: `signed with our key ${sig(s)}, which passes but does not align with ${r.from}`,
          fix: `Give ${r.from} a key of its own (ruaflow keygen ${r.from}) so that d= matches the From domain${r.facts.adkim === 's' ? ' (the policy says adkim=s)' : ''}.`,
        });
      } else if (s.result === 'temperror' || s.result === 'permerror') {
        found.push({
          cause: 'key-unavailable',
          reason: `the receiver could not use the key of our selector ${s.selector ?? ''} (${s.result}): the TXT record at ${s.selector ?? ''}._domainkey.${s.domain} is missing, broken or did not answer`,
          fix: `Publish the DKIM TXT record ${s.selector ?? ''}._domainkey.${s.domain}; ruaflow check compares it with our key.`,
        });
      } else {
        found.push({
          cause: 'key-mismatch',
          reason: `our key ${s.selector ?? ''} (d=${s.domain}) does not verify (${s.result}): the public key in DNS does not match our private key, or the message was changed after signing`,
          fix: `Run ruaflow check: it compares ${s.selector ?? ''}._domainkey.${s.domain} with our key; publish the matching key.`,
        });
      }
    } else if (s.selector !== null && profile.retiredSelectors.has(s.selector)) {
      found.push({
        cause: 'retired-selector',
        reason: `signed with the retired selector ${s.selector} (d=${s.domain}, ${s.result})${s.result === 'pass' ? ': its key is still published, and removing it will break this mail' : ''}`,
        fix: `The relay still signs with ${s.selector}: switch it to ${currentKey(profile)}, then remove the old key.`,
      });
    } else {
      found.push({
        cause: 'unknown-selector',
        reason:
          profile.keys.length === 0
            ? `signed with selector ${s.selector ?? '(none)'} (d=${s.domain}, ${s.result}); no signing keys are configured for ${profile.name}`
            : `signed with selector ${s.selector ?? '(none)'} (d=${s.domain}, ${s.result}), which is not one of our keys (${profile.keys.map((k) => k.selector).join(', ')})`,
        fix:
          profile.keys.length === 0
            ? `Configure the signing keys of ${profile.name} (dkim_keys_dir or keys), or add ${s.selector ?? 'the selector'} to retired_selectors.`
            : `Make the relay sign with ${currentKey(profile)}, or configure the key it uses (dkim_keys_dir or keys).`,
      });
    }
  }
  found.sort((a, b) => CAUSE_ORDER.indexOf(a.cause) - CAUSE_ORDER.indexOf(b.cause));
  return (
    found[0] ?? {
      cause: 'no-signature',
      reason: 'no DKIM signature: the relay does not sign this mail',
      fix: `Turn on DKIM signing for ${r.from} on the relay (ruaflow keygen ${profile.name} makes a key).`,
    }
  );
}

const currentKey = (profile: DomainProfile): string => {
  const k = profile.keys[0];
  return k === undefined ? 'a current key' : `selector ${k.selector} (d=${k.domain})`;
};

// ---------------------------------------------------------------------------------------------
// Services

function matchService(
  ip: Address | null,
  ptrName: string | null,
  passing: readonly Signature[],
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
  const how = by === 'ip' ? `IP ${r.ip}` : by === 'ptr' ? `host ${ptrName ?? ''}` : `DKIM ${sigList(r.passing.filter((s) => service.dkim.some((d) => isUnder(s.domain, d))))}`;
  const extra = { service: service.name, matchedBy: by };
  if (r.dmarcPass) {
    const via = r.dkimPass ? 'aligned DKIM' : 'aligned SPF only';
    return result('service-pass', `${service.name} (${how}): DMARC passes with ${via}`, 'Nothing to do.', extra);
  }
  return result(
    'service-fail',
    `${service.name} (${how}): neither DKIM nor SPF aligns with ${r.from} (${dkimText(r)}; ${spfText(r)})`,
    `Set up DKIM for ${r.from} at ${service.name} (publish the selector it gives you under ${r.from}), or a return path under ${r.from}.`,
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
    return result(
      'forwarded',
      `${r.ip} is not ours, and the reporter says it forwarded the mail (${override}); ${dkimText(r)}, ${spfText(r)}`,
      'Nothing to do: the receiver recognised the forwarder.',
    );
  }
  const ourKeys = r.signatures.filter((s) => ourKey(s, profile) || (profile.keys.length === 0 && ourDomain(s.domain, profile)));
  const passingOurKey = ourKeys.find((s) => s.result === 'pass');
  if (r.dmarcPass) {
    if (r.spfPass) {
      const spfDomain = r.spf?.domain ?? r.from;
      if (passingOurKey !== undefined) {
        return result(
          'unknown-pass',
          `${r.ip} is not in relays, yet the SPF record of ${spfDomain} authorises it and our key ${sig(passingOurKey)} signs its mail: an unlisted relay of ours, or a leaked key`,
          `If ${r.ip} is ours, add it to relays of ${profile.name}; if not, rotate ${passingOurKey.selector ?? 'the key'} (ruaflow keygen ${passingOurKey.domain}) and take it out of SPF.`,
        );
      }
      return result(
        'unknown-pass',
        `${r.ip} is not a relay or service of ${profile.name}, yet the SPF record of ${spfDomain} authorises it: an unlisted service`,
        `Add it to services of ${profile.name} (ips or ptr), or remove it from the SPF record of ${spfDomain} if nobody should send from it.`,
      );
    }
    const foreign = r.passing.find((s) => !ourKey(s, profile) && !(profile.keys.length === 0 && ourDomain(s.domain, profile)));
    if (passingOurKey === undefined && foreign !== undefined) {
      if (foreign.selector !== null && profile.retiredSelectors.has(foreign.selector) && ourDomain(foreign.domain, profile)) {
        return result(
          'unknown-pass',
          `${r.ip} signs with our retired selector ${foreign.selector} (d=${foreign.domain}), which still verifies: its key is still in DNS and someone still uses it`,
          `Find the sender and move it to a current key, or remove ${foreign.selector}._domainkey.${foreign.domain} from DNS.`,
        );
      }
      if (ourDomain(foreign.domain, profile)) {
        return result(
          'unknown-pass',
          `${r.ip} signs with ${sig(foreign)}, a key in our DNS that we do not sign with: an unlisted service`,
          `Add the service to services of ${profile.name} (ips or ptr), or remove ${foreign.selector ?? '?'}._domainkey.${foreign.domain} from DNS if nobody should sign with it.`,
        );
      }
      return result(
        'unknown-pass',
        `${r.ip} signs with ${sig(foreign)}, which aligns with ${r.from}: an unlisted sender`,
        `Add it to services of ${profile.name}, or find out who holds the key for ${foreign.domain}.`,
      );
    }
    const key = passingOurKey ?? r.passing[0];
    return result(
      'forwarded',
      `${r.ip} is not ours; our signature ${key === undefined ? '' : sig(key)} passes while ${spfText(r)}: our mail relayed by a forwarder or mailing list`,
      `Nothing to do; but if ${r.ip} is no forwarder you know and sends much, suspect a leaked key and rotate it (ruaflow keygen ${profile.name}).`,
    );
  }
  const broken = ourKeys.find((s) => s.result === 'fail');
  if (broken !== undefined) {
    return result(
      'forwarded',
      `${r.ip} is not ours; our signature ${sig(broken)} is there but broken, as when a mailing list rewrites the subject or body; ${spfText(r)}`,
      'Nothing to do on our side; lists that rewrite From or seal with ARC keep such mail deliverable.',
    );
  }
  return result('spoof', `${r.ip} is not a relay or service of ${profile.name}, and nothing aligns (${dkimText(r)}; ${spfText(r)})`, spoofFix(r));
}

function spoofFix(r: Reading): string {
  const sub = r.from !== lower(r.facts.policyDomain) && r.facts.sp !== null;
  const policy = lower(sub ? r.facts.sp : r.facts.p);
  const tag = sub ? 'sp' : 'p';
  if (policy === 'reject') return `Nothing to do: ${tag}=reject already tells receivers to refuse it.`;
  if (policy === 'quarantine') return `Nothing to fix at the source; ${tag}=quarantine sends it to spam. Move to ${tag}=reject once ours and services pass.`;
  return `Nothing to fix at the source; publish p=quarantine or p=reject so receivers refuse it${policy === '' ? '' : ` (now ${tag}=${policy})`}.`;
}
