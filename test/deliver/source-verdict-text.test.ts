/** The classifier's verdict in words: every finding, DKIM problem and remedy kind → its sentence.
 * The tables are keyed by kind, so a new kind does not compile until it has a sentence here. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DkimProblem, Finding, SeenSignature } from '../../src/analyze/correlate/finding.js';
import type { Remedy } from '../../src/analyze/correlate/remedy.js';
import { findingText, remedyText, sourceVerdictText } from '../../src/deliver/source-verdict-text.js';

const OURS: SeenSignature = { domain: 'example.com', selector: 's2026', result: 'pass' };
const OLD: SeenSignature = { domain: 'example.com', selector: 'old', result: 'pass' };
const FOREIGN: SeenSignature = { domain: 'esp.example', selector: 'k', result: 'pass' };
const SPF = { domain: 'example.com', result: 'softfail' };
const EVIDENCE = { signatures: [FOREIGN, { ...OLD, result: 'fail' }], spf: SPF };

type ByKind<T extends { kind: string }> = { [K in T['kind']]: readonly [Extract<T, { kind: K }>, string] };

const PROBLEMS: ByKind<DkimProblem> = {
  'foreign-signer': [{ kind: 'foreign-signer', signature: FOREIGN, from: 'example.com' }, 'signed only by d=esp.example s=k (pass), which does not align with example.com'],
  'our-key-unaligned': [
    { kind: 'our-key-unaligned', signature: { domain: 'example.org', selector: 'k1', result: 'pass' }, from: 'client.example' },
    'signed with our key d=example.org s=k1, which passes but does not align with client.example',
  ],
  'key-unavailable': [
    { kind: 'key-unavailable', signature: { ...OURS, result: 'temperror' } },
    'the receiver could not use the key of our selector s2026 (temperror): the TXT record at s2026._domainkey.example.com is missing, broken or did not answer',
  ],
  'key-mismatch': [
    { kind: 'key-mismatch', signature: { ...OURS, result: 'fail' } },
    'our key s2026 (d=example.com) does not verify (fail): the public key in DNS does not match our private key, or the message was changed after signing',
  ],
  'retired-selector': [
    { kind: 'retired-selector', signature: OLD },
    'signed with the retired selector old (d=example.com, pass): its key is still published, and removing it will break this mail',
  ],
  'unknown-selector': [
    { kind: 'unknown-selector', signature: { domain: 'example.com', selector: 'x', result: 'fail' }, domain: 'example.com', ourSelectors: ['s2026', 's2027'] },
    'signed with selector x (d=example.com, fail), which is not one of our keys (s2026, s2027)',
  ],
  'no-signature': [{ kind: 'no-signature' }, 'no DKIM signature: the relay does not sign this mail'],
};

const FINDINGS: ByKind<Finding> = {
  'relay-dkim-fail': [
    { kind: 'relay-dkim-fail', ip: '192.0.2.10', problem: { kind: 'no-signature' }, dmarc: { kind: 'spf', spf: SPF } },
    'our relay 192.0.2.10: no DKIM signature: the relay does not sign this mail; SPF softfail for example.com',
  ],
  'relay-spf-fail': [
    { kind: 'relay-spf-fail', ip: '192.0.2.10', spf: SPF },
    'our relay 192.0.2.10 signs correctly, but SPF softfail for the envelope domain example.com: the relay is not authorised in its SPF record',
  ],
  'relay-pass': [{ kind: 'relay-pass', ip: '2001:db8::5', signature: OURS, spf: null }, 'our relay 2001:db8::5: DKIM d=example.com s=s2026 (pass), no SPF result'],
  'service-pass': [
    { kind: 'service-pass', service: 'ESP', match: { by: 'dkim', signatures: [FOREIGN] }, via: 'dkim' },
    'ESP (DKIM d=esp.example s=k (pass)): DMARC passes with aligned DKIM',
  ],
  'service-fail': [
    { kind: 'service-fail', service: 'ESP', match: { by: 'ip', ip: '198.51.100.7' }, from: 'example.com', evidence: { signatures: [], spf: null } },
    'ESP (IP 198.51.100.7): neither DKIM nor SPF aligns with example.com (no DKIM signature; no SPF result)',
  ],
  'forwarder-said-so': [
    { kind: 'forwarder-said-so', ip: '203.0.113.9', override: 'local_policy: arc=pass', evidence: EVIDENCE },
    '203.0.113.9 is not ours, and the reporter says it forwarded the mail (local_policy: arc=pass); DKIM d=esp.example s=k (pass), d=example.com s=old (fail), SPF softfail for example.com',
  ],
  'unlisted-relay-or-leaked-key': [
    { kind: 'unlisted-relay-or-leaked-key', ip: '203.0.113.9', spfDomain: 'example.com', signature: OURS },
    '203.0.113.9 is not in relays, yet the SPF record of example.com authorises it and our key d=example.com s=s2026 signs its mail: an unlisted relay of ours, or a leaked key',
  ],
  'unlisted-spf-host': [
    { kind: 'unlisted-spf-host', ip: '203.0.113.9', domain: 'example.com', spfDomain: 'bounce.example.net' },
    '203.0.113.9 is not a relay or service of example.com, yet the SPF record of bounce.example.net authorises it: an unlisted service',
  ],
  'retired-selector-in-use': [
    { kind: 'retired-selector-in-use', ip: '203.0.113.9', signature: OLD },
    '203.0.113.9 signs with our retired selector old (d=example.com), which still verifies: its key is still in DNS and someone still uses it',
  ],
  'unused-key-signs': [
    { kind: 'unused-key-signs', ip: '203.0.113.9', signature: { ...OURS, selector: 'other' } },
    '203.0.113.9 signs with d=example.com s=other, a key in our DNS that we do not sign with: an unlisted service',
  ],
  'unlisted-signer': [
    { kind: 'unlisted-signer', ip: '203.0.113.9', signature: FOREIGN, from: 'example.com' },
    '203.0.113.9 signs with d=esp.example s=k, which aligns with example.com: an unlisted sender',
  ],
  'relayed-with-our-signature': [
    { kind: 'relayed-with-our-signature', ip: '203.0.113.9', signature: OURS, spf: SPF },
    '203.0.113.9 is not ours; our signature d=example.com s=s2026 passes while SPF softfail for example.com: our mail relayed by a forwarder or mailing list',
  ],
  'broken-by-list': [
    { kind: 'broken-by-list', ip: '203.0.113.9', signature: { ...OURS, result: 'fail' }, spf: null },
    '203.0.113.9 is not ours; our signature d=example.com s=s2026 is there but broken, as when a mailing list rewrites the subject or body; no SPF result',
  ],
  spoof: [
    { kind: 'spoof', ip: '203.0.113.9', domain: 'example.com', evidence: EVIDENCE },
    '203.0.113.9 is not a relay or service of example.com, and nothing aligns (DKIM d=esp.example s=k (pass), d=example.com s=old (fail); SPF softfail for example.com)',
  ],
};

const KEY = { selector: 's2026', domain: 'example.com' };
const REMEDIES: ByKind<Remedy> = {
  nothing: [{ kind: 'nothing' }, 'Nothing to do.'],
  'sign-with-our-domain': [
    { kind: 'sign-with-our-domain', from: 'shop.example.com', domain: 'example.com' },
    'Sign shop.example.com mail on the relay with d=example.com (or a subdomain), using a key of ours.',
  ],
  'key-of-its-own': [
    { kind: 'key-of-its-own', from: 'client.example', strict: true },
    'Give client.example a key of its own (ruaflow keygen client.example) so that d= matches the From domain (the policy says adkim=s).',
  ],
  'publish-key-record': [
    { kind: 'publish-key-record', selector: 's2026', domain: 'example.com' },
    'Publish the DKIM TXT record s2026._domainkey.example.com; ruaflow check compares it with our key.',
  ],
  'compare-published-key': [
    { kind: 'compare-published-key', selector: 's2026', domain: 'example.com' },
    'Run ruaflow check: it compares s2026._domainkey.example.com with our key; publish the matching key.',
  ],
  'move-off-retired-selector': [
    { kind: 'move-off-retired-selector', selector: 'old', current: KEY },
    'The relay still signs with old: switch it to selector s2026 (d=example.com), then remove the old key.',
  ],
  'configure-keys': [
    { kind: 'configure-keys', domain: 'example.com', selector: null },
    'Configure the signing keys of example.com (dkim_keys_dir or keys), or add the selector to retired_selectors.',
  ],
  'sign-with-current-key': [
    { kind: 'sign-with-current-key', current: null },
    'Make the relay sign with a current key, or configure the key it uses (dkim_keys_dir or keys).',
  ],
  'turn-on-signing': [
    { kind: 'turn-on-signing', from: 'shop.example.com', domain: 'example.com' },
    'Turn on DKIM signing for shop.example.com on the relay (ruaflow keygen example.com makes a key).',
  ],
  'authorise-relay-in-spf': [
    { kind: 'authorise-relay-in-spf', mechanism: 'ip6:2001:db8::5', spfDomain: 'example.com' },
    "Add ip6:2001:db8::5 (or the relay's range) to the SPF record of example.com.",
  ],
  'align-service': [
    { kind: 'align-service', service: 'ESP', from: 'example.com' },
    'Set up DKIM for example.com at ESP (publish the selector it gives you under example.com), or a return path under example.com.',
  ],
  'nothing-forwarder-recognised': [{ kind: 'nothing-forwarder-recognised' }, 'Nothing to do: the receiver recognised the forwarder.'],
  'list-relay-or-rotate-key': [
    { kind: 'list-relay-or-rotate-key', ip: '203.0.113.9', domain: 'example.com', selector: 's2026', keyDomain: 'mail.example.com' },
    'If 203.0.113.9 is ours, add it to relays of example.com; if not, rotate s2026 (ruaflow keygen mail.example.com) and take it out of SPF.',
  ],
  'list-service-or-drop-from-spf': [
    { kind: 'list-service-or-drop-from-spf', domain: 'example.com', spfDomain: 'bounce.example.net' },
    'Add it to services of example.com (ips or ptr), or remove it from the SPF record of bounce.example.net if nobody should send from it.',
  ],
  'retire-key': [
    { kind: 'retire-key', selector: 'old', keyDomain: 'example.com' },
    'Find the sender and move it to a current key, or remove old._domainkey.example.com from DNS.',
  ],
  'list-service-or-remove-key': [
    { kind: 'list-service-or-remove-key', domain: 'example.com', selector: null, keyDomain: 'example.com' },
    'Add the service to services of example.com (ips or ptr), or remove ?._domainkey.example.com from DNS if nobody should sign with it.',
  ],
  'list-service-or-find-key-holder': [
    { kind: 'list-service-or-find-key-holder', domain: 'example.com', keyDomain: 'esp.example' },
    'Add it to services of example.com, or find out who holds the key for esp.example.',
  ],
  'nothing-unless-leaked-key': [
    { kind: 'nothing-unless-leaked-key', ip: '203.0.113.9', domain: 'example.com' },
    'Nothing to do; but if 203.0.113.9 is no forwarder you know and sends much, suspect a leaked key and rotate it (ruaflow keygen example.com).',
  ],
  'nothing-list-rewrote': [
    { kind: 'nothing-list-rewrote' },
    'Nothing to do on our side; lists that rewrite From or seal with ARC keep such mail deliverable.',
  ],
  'policy-rejects': [{ kind: 'policy-rejects', tag: 'sp' }, 'Nothing to do: sp=reject already tells receivers to refuse it.'],
  'policy-quarantines': [
    { kind: 'policy-quarantines', tag: 'p' },
    'Nothing to fix at the source; p=quarantine sends it to spam. Move to p=reject once ours and services pass.',
  ],
  'publish-enforcing-policy': [
    { kind: 'publish-enforcing-policy', tag: 'sp', now: 'none' },
    'Nothing to fix at the source; publish p=quarantine or p=reject so receivers refuse it (now sp=none).',
  ],
};

describe('source verdict text', () => {
  for (const [kind, [finding, sentence]] of Object.entries(FINDINGS)) {
    it(`finding ${kind}`, () => assert.equal(findingText(finding), sentence));
  }
  for (const [kind, [problem, sentence]] of Object.entries(PROBLEMS)) {
    it(`DKIM problem ${kind}, inside the relay-dkim-fail finding`, () => {
      assert.equal(findingText({ kind: 'relay-dkim-fail', ip: '192.0.2.10', problem, dmarc: { kind: 'dkim-passes' } }), `our relay 192.0.2.10: ${sentence}`);
    });
  }
  for (const [kind, [remedy, sentence]] of Object.entries(REMEDIES)) {
    it(`remedy ${kind}`, () => assert.equal(remedyText(remedy), sentence));
  }

  it('the variants inside a kind', () => {
    const fail = (dmarc: Extract<Finding, { kind: 'relay-dkim-fail' }>['dmarc']) =>
      findingText({ kind: 'relay-dkim-fail', ip: '192.0.2.10', problem: { kind: 'no-signature' }, dmarc });
    assert.match(fail({ kind: 'spf-alone' }), /\(DMARC passes on SPF alone, which forwarding breaks\)$/);
    assert.match(fail({ kind: 'spf', spf: null }), /; no SPF result$/);
    assert.equal(findingText({ kind: 'relay-pass', ip: '192.0.2.10', signature: null, spf: SPF }), 'our relay 192.0.2.10: DKIM passes, SPF softfail for example.com');
    assert.equal(
      findingText({ kind: 'service-pass', service: 'ESP', match: { by: 'ptr', host: 'o1.esp.example' }, via: 'spf-only' }),
      'ESP (host o1.esp.example): DMARC passes with aligned SPF only',
    );
    assert.equal(
      findingText({ kind: 'relay-dkim-fail', ip: '192.0.2.10', problem: { kind: 'retired-selector', signature: { ...OLD, result: 'fail' } }, dmarc: { kind: 'dkim-passes' } }),
      'our relay 192.0.2.10: signed with the retired selector old (d=example.com, fail)',
    );
    assert.equal(
      findingText({
        kind: 'relay-dkim-fail',
        ip: '192.0.2.10',
        problem: { kind: 'unknown-selector', signature: { domain: 'example.com', selector: null, result: 'fail' }, domain: 'example.com', ourSelectors: [] },
        dmarc: { kind: 'dkim-passes' },
      }),
      'our relay 192.0.2.10: signed with selector (none) (d=example.com, fail); no signing keys are configured for example.com',
    );
    assert.equal(remedyText({ kind: 'key-of-its-own', from: 'a.example', strict: false }), 'Give a.example a key of its own (ruaflow keygen a.example) so that d= matches the From domain.');
    assert.equal(remedyText({ kind: 'publish-enforcing-policy', tag: 'p', now: null }), 'Nothing to fix at the source; publish p=quarantine or p=reject so receivers refuse it.');
  });

  it('a verdict renders as its reason and fix', () => {
    assert.deepEqual(sourceVerdictText({ finding: FINDINGS['relay-spf-fail'][0], remedy: REMEDIES['authorise-relay-in-spf'][0] }), {
      reason: FINDINGS['relay-spf-fail'][1],
      fix: REMEDIES['authorise-relay-in-spf'][1],
    });
  });
});
