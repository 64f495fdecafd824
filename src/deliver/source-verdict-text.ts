/**
 * The classifier's verdict on a sending source (src/analyze/correlate/classify.ts) in words: the
 * `reason` (what the record shows) and the `fix` (what to do) that `record_classes` stores and
 * `ruaflow sources`, the summary and their `--json` print. The only place these sentences, and
 * the commands and settings they name, are written.
 */
import type { Classification } from '../analyze/correlate/classification.js';
import type { DkimProblem, Evidence, Finding, SeenSignature, SeenSpf, ServiceMatch } from '../analyze/correlate/finding.js';
import type { KeyRef, Remedy } from '../analyze/correlate/remedy.js';

export interface VerdictText {
  readonly reason: string;
  readonly fix: string;
}

export function sourceVerdictText(verdict: Pick<Classification, 'finding' | 'remedy'>): VerdictText {
  return { reason: findingText(verdict.finding), fix: remedyText(verdict.remedy) };
}

const sig = (s: SeenSignature): string => `d=${s.domain}${s.selector === null ? '' : ` s=${s.selector}`}`;
const sigList = (list: readonly SeenSignature[]): string => list.map((s) => `${sig(s)} (${s.result})`).join(', ');
const spfText = (spf: SeenSpf): string => (spf === null ? 'no SPF result' : `SPF ${spf.result} for ${spf.domain}`);
const dkimText = (signatures: readonly SeenSignature[]): string => (signatures.length === 0 ? 'no DKIM signature' : `DKIM ${sigList(signatures)}`);
const both = (e: Evidence, glue: string): string => `${dkimText(e.signatures)}${glue}${spfText(e.spf)}`;

export function findingText(f: Finding): string {
  switch (f.kind) {
    case 'relay-dkim-fail': {
      const tail = f.dmarc.kind === 'dkim-passes' ? '' : f.dmarc.kind === 'spf-alone' ? ' (DMARC passes on SPF alone, which forwarding breaks)' : `; ${spfText(f.dmarc.spf)}`;
      return `our relay ${f.ip}: ${dkimProblemText(f.problem)}${tail}`;
    }
    case 'relay-spf-fail':
      return `our relay ${f.ip} signs correctly, but SPF ${f.spf.result} for the envelope domain ${f.spf.domain}: the relay is not authorised in its SPF record`;
    case 'relay-pass':
      return `our relay ${f.ip}: DKIM ${f.signature === null ? 'passes' : sigList([f.signature])}, ${spfText(f.spf)}`;
    case 'service-pass':
      return `${f.service} (${matchText(f.match)}): DMARC passes with ${f.via === 'dkim' ? 'aligned DKIM' : 'aligned SPF only'}`;
    case 'service-fail':
      return `${f.service} (${matchText(f.match)}): neither DKIM nor SPF aligns with ${f.from} (${both(f.evidence, '; ')})`;
    case 'forwarder-said-so':
      return `${f.ip} is not ours, and the reporter says it forwarded the mail (${f.override}); ${both(f.evidence, ', ')}`;
    case 'unlisted-relay-or-leaked-key':
      return `${f.ip} is not in relays, yet the SPF record of ${f.spfDomain} authorises it and our key ${sig(f.signature)} signs its mail: an unlisted relay of ours, or a leaked key`;
    case 'unlisted-spf-host':
      return `${f.ip} is not a relay or service of ${f.domain}, yet the SPF record of ${f.spfDomain} authorises it: an unlisted service`;
    case 'retired-selector-in-use':
      return `${f.ip} signs with our retired selector ${f.signature.selector ?? ''} (d=${f.signature.domain}), which still verifies: its key is still in DNS and someone still uses it`;
    case 'unused-key-signs':
      return `${f.ip} signs with ${sig(f.signature)}, a key in our DNS that we do not sign with: an unlisted service`;
    case 'unlisted-signer':
      return `${f.ip} signs with ${sig(f.signature)}, which aligns with ${f.from}: an unlisted sender`;
    case 'relayed-with-our-signature':
      return `${f.ip} is not ours; our signature ${f.signature === null ? '' : sig(f.signature)} passes while ${spfText(f.spf)}: our mail relayed by a forwarder or mailing list`;
    case 'broken-by-list':
      return `${f.ip} is not ours; our signature ${sig(f.signature)} is there but broken, as when a mailing list rewrites the subject or body; ${spfText(f.spf)}`;
    case 'spoof':
      return `${f.ip} is not a relay or service of ${f.domain}, and nothing aligns (${both(f.evidence, '; ')})`;
  }
}

function matchText(m: ServiceMatch): string {
  switch (m.by) {
    case 'ip':
      return `IP ${m.ip}`;
    case 'ptr':
      return `host ${m.host}`;
    case 'dkim':
      return `DKIM ${sigList(m.signatures)}`;
  }
}

function dkimProblemText(p: DkimProblem): string {
  switch (p.kind) {
    case 'foreign-signer':
      return `signed only by ${sig(p.signature)} (${p.signature.result}), which does not align with ${p.from}`;
    case 'our-key-unaligned':
      return `signed with our key ${sig(p.signature)}, which passes but does not align with ${p.from}`;
    case 'key-unavailable': {
      const s = p.signature;
      return `the receiver could not use the key of our selector ${s.selector ?? ''} (${s.result}): the TXT record at ${s.selector ?? ''}._domainkey.${s.domain} is missing, broken or did not answer`;
    }
    case 'key-mismatch': {
      const s = p.signature;
      return `our key ${s.selector ?? ''} (d=${s.domain}) does not verify (${s.result}): the public key in DNS does not match our private key, or the message was changed after signing`;
    }
    case 'retired-selector': {
      const s = p.signature;
      const still = s.result === 'pass' ? ': its key is still published, and removing it will break this mail' : '';
      return `signed with the retired selector ${s.selector ?? ''} (d=${s.domain}, ${s.result})${still}`;
    }
    case 'unknown-selector': {
      const s = p.signature;
      const head = `signed with selector ${s.selector ?? '(none)'} (d=${s.domain}, ${s.result})`;
      return p.ourSelectors.length === 0
        ? `${head}; no signing keys are configured for ${p.domain}`
        : `${head}, which is not one of our keys (${p.ourSelectors.join(', ')})`;
    }
    case 'no-signature':
      return 'no DKIM signature: the relay does not sign this mail';
  }
}

const keyText = (k: KeyRef | null): string => (k === null ? 'a current key' : `selector ${k.selector} (d=${k.domain})`);

export function remedyText(r: Remedy): string {
  switch (r.kind) {
    case 'nothing':
      return 'Nothing to do.';
    case 'sign-with-our-domain':
      return `Sign ${r.from} mail on the relay with d=${r.domain} (or a subdomain), using a key of ours.`;
    case 'key-of-its-own':
      return `Give ${r.from} a key of its own (ruaflow keygen ${r.from}) so that d= matches the From domain${r.strict ? ' (the policy says adkim=s)' : ''}.`;
    case 'publish-key-record':
      return `Publish the DKIM TXT record ${r.selector}._domainkey.${r.domain}; ruaflow check compares it with our key.`;
    case 'compare-published-key':
      return `Run ruaflow check: it compares ${r.selector}._domainkey.${r.domain} with our key; publish the matching key.`;
    case 'move-off-retired-selector':
      return `The relay still signs with ${r.selector}: switch it to ${keyText(r.current)}, then remove the old key.`;
    case 'configure-keys':
      return `Configure the signing keys of ${r.domain} (dkim_keys_dir or keys), or add ${r.selector ?? 'the selector'} to retired_selectors.`;
    case 'sign-with-current-key':
      return `Make the relay sign with ${keyText(r.current)}, or configure the key it uses (dkim_keys_dir or keys).`;
    case 'turn-on-signing':
      return `Turn on DKIM signing for ${r.from} on the relay (ruaflow keygen ${r.domain} makes a key).`;
    case 'authorise-relay-in-spf':
      return `Add ${r.mechanism} (or the relay's range) to the SPF record of ${r.spfDomain}.`;
    case 'align-service':
      return `Set up DKIM for ${r.from} at ${r.service} (publish the selector it gives you under ${r.from}), or a return path under ${r.from}.`;
    case 'nothing-forwarder-recognised':
      return 'Nothing to do: the receiver recognised the forwarder.';
    case 'list-relay-or-rotate-key':
      return `If ${r.ip} is ours, add it to relays of ${r.domain}; if not, rotate ${r.selector ?? 'the key'} (ruaflow keygen ${r.keyDomain}) and take it out of SPF.`;
    case 'list-service-or-drop-from-spf':
      return `Add it to services of ${r.domain} (ips or ptr), or remove it from the SPF record of ${r.spfDomain} if nobody should send from it.`;
    case 'retire-key':
      return `Find the sender and move it to a current key, or remove ${r.selector}._domainkey.${r.keyDomain} from DNS.`;
    case 'list-service-or-remove-key':
      return `Add the service to services of ${r.domain} (ips or ptr), or remove ${r.selector ?? '?'}._domainkey.${r.keyDomain} from DNS if nobody should sign with it.`;
    case 'list-service-or-find-key-holder':
      return `Add it to services of ${r.domain}, or find out who holds the key for ${r.keyDomain}.`;
    case 'nothing-unless-leaked-key':
      return `Nothing to do; but if ${r.ip} is no forwarder you know and sends much, suspect a leaked key and rotate it (ruaflow keygen ${r.domain}).`;
    case 'nothing-list-rewrote':
      return 'Nothing to do on our side; lists that rewrite From or seal with ARC keep such mail deliverable.';
    case 'policy-rejects':
      return `Nothing to do: ${r.tag}=reject already tells receivers to refuse it.`;
    case 'policy-quarantines':
      return `Nothing to fix at the source; ${r.tag}=quarantine sends it to spam. Move to ${r.tag}=reject once ours and services pass.`;
    case 'publish-enforcing-policy':
      return `Nothing to fix at the source; publish p=quarantine or p=reject so receivers refuse it${r.now === null ? '' : ` (now ${r.tag}=${r.now})`}.`;
  }
}
