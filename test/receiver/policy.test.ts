/**
 * The pure policy steps with hand-made authentication outcomes: every branch of the local policy
 * (seed 000) and of the DMARC policy selection (RFC 9989 p / sp / np, t=y; pct), and the
 * Authentication-Results text (RFC 8601).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authenticationResults, foldHeader } from '../../src/receiver/auth-results.js';
import { applyDmarcPolicy, parsePublishedPolicy } from '../../src/receiver/dmarc-policy.js';
import { decide, type ReceiverPolicy } from '../../src/receiver/local-policy.js';
import type { AuthOutcome, DkimSignature, DmarcApplication, DmarcOutcome } from '../../src/receiver/types.js';

const sig = (domain: string, status: DkimSignature['status'], reason: string | null = null): DkimSignature => ({
  domain,
  selector: 's1',
  identity: null,
  algorithm: 'rsa-sha256',
  bits: 2048,
  result: status === 'pass' ? 'pass' : status === 'fail' ? 'fail' : 'temperror',
  status,
  reason,
  aligned: false,
  b: 'abcdefgh',
});

const dmarcOf = (result: DmarcOutcome['result'], record: string | null = null, extra: Partial<DmarcOutcome> = {}): DmarcOutcome => ({
  result,
  comment: null,
  authorDomain: 'bank.example',
  policyDomain: record === null ? null : 'bank.example',
  orgDomain: 'bank.example',
  discoveryMethod: 'treewalk',
  published: record === null ? null : parsePublishedPolicy(record),
  authorDomainExists: null,
  spfAligned: false,
  dkimAligned: result === 'pass',
  ...extra,
});

const auth = (over: Partial<AuthOutcome> = {}): AuthOutcome => ({
  envelope: { ip: '192.0.2.1', helo: 'mx.bank.example', mailFrom: 'bounce@bank.example', rcpt: ['me@receiver.example'] },
  headerFrom: 'bank.example',
  headerFromDomains: ['bank.example'],
  fromFields: 1,
  messageId: null,
  listId: null,
  spf: { domain: 'bank.example', scope: 'mfrom', result: 'none', comment: null },
  dkim: [],
  dkimUnchecked: 0,
  dmarc: dmarcOf('none'),
  arc: { result: 'none', sealer: null, comment: null },
  ...over,
});

const NO_POLICY: ReceiverPolicy = { knownSigners: [], dkimWhitelist: [], trustedForwarders: [] };
const run = (a: AuthOutcome, policy: Partial<ReceiverPolicy> = {}, sample = 0) => decide(a, applyDmarcPolicy(a.dmarc, sample), { ...NO_POLICY, ...policy });

describe('local policy (seed 000)', () => {
  it('a known signer with a passing signature of its own domain is accepted', () => {
    const v = run(auth({ dkim: [sig('mail.bank.example', 'pass')] }), { knownSigners: ['bank.example'] });
    assert.equal(v.decision, 'accept');
    assert.match(v.reasons[0] ?? '', /known signer bank\.example: passing signature/);
  });

  it('a known signer without a passing signature is rejected: failing, missing, or another domain signing', () => {
    for (const dkim of [[sig('bank.example', 'fail')], [], [sig('esp.example', 'pass')], [sig('bank.example', 'invalid')]]) {
      const v = run(auth({ dkim }), { knownSigners: ['bank.example'] });
      assert.equal(v.decision, 'reject', JSON.stringify(dkim));
      assert.equal(v.disposition, 'reject');
      assert.deepEqual(v.overrides.map((o) => o.type), ['local_policy']);
    }
  });

  it('matches a known signer by the From header too (a spoofed From with a foreign envelope)', () => {
    const v = run(auth({ envelope: { ip: '203.0.113.5', helo: 'x', mailFrom: 'x@spam.test', rcpt: [] } }), { knownSigners: ['bank.example'] });
    assert.equal(v.decision, 'reject');
  });

  it('no signature: accept', () => {
    assert.equal(run(auth()).decision, 'accept');
  });

  it('at face value: pass accepts, invalid defers, fail rejects', () => {
    assert.equal(run(auth({ dkim: [sig('bank.example', 'pass')] })).decision, 'accept');
    assert.equal(run(auth({ dkim: [sig('bank.example', 'invalid', 'no key for signature')] })).decision, 'defer');
    assert.equal(run(auth({ dkim: [sig('bank.example', 'fail', 'bad signature')] })).decision, 'reject');
    // one that cannot be checked beside one that fails: a retry may succeed
    assert.equal(run(auth({ dkim: [sig('bank.example', 'fail'), sig('bank.example', 'invalid')] })).decision, 'defer');
    // any pass is enough
    assert.equal(run(auth({ dkim: [sig('bank.example', 'fail'), sig('bank.example', 'pass')] })).decision, 'accept');
  });

  it('a whitelisted domain is accepted despite broken DKIM', () => {
    for (const status of ['fail', 'invalid'] as const) {
      const v = run(auth({ dkim: [sig('bank.example', status)] }), { dkimWhitelist: ['bank.example'] });
      assert.equal(v.decision, 'accept', status);
      assert.match(v.reasons[0] ?? '', /DKIM whitelist/);
    }
  });
});

describe('DMARC on top of the local policy', () => {
  it('applies p=reject and p=quarantine to a DMARC failure', () => {
    assert.equal(run(auth({ dmarc: dmarcOf('fail', 'v=DMARC1; p=reject') })).decision, 'reject');
    const q = run(auth({ dmarc: dmarcOf('fail', 'v=DMARC1; p=quarantine') }));
    assert.equal(q.decision, 'quarantine');
    assert.equal(q.disposition, 'quarantine');
    assert.deepEqual(q.overrides, []);
  });

  it('a pass under an enforcing policy has disposition pass; under p=none, none', () => {
    assert.equal(run(auth({ dmarc: dmarcOf('pass', 'v=DMARC1; p=reject') })).disposition, 'pass');
    assert.equal(run(auth({ dmarc: dmarcOf('pass', 'v=DMARC1; p=none') })).disposition, 'none');
  });

  it('a DMARC temperror defers', () => {
    assert.equal(run(auth({ dmarc: dmarcOf('temperror') })).decision, 'defer');
  });

  it('the stronger of the two wins: a local reject over a DMARC pass is recorded as local_policy', () => {
    const v = run(auth({ dkim: [sig('bank.example', 'fail')], dmarc: dmarcOf('pass', 'v=DMARC1; p=none', { spfAligned: true }) }));
    assert.equal(v.decision, 'reject');
    assert.equal(v.disposition, 'reject');
    assert.equal(v.overrides[0]?.type, 'local_policy');
  });

  it('a trusted forwarder with a passing ARC chain overrides a DMARC failure (trusted_forwarder)', () => {
    const a = auth({ dmarc: dmarcOf('fail', 'v=DMARC1; p=reject'), arc: { result: 'pass', sealer: 'fwd.example.net', comment: null } });
    const v = run(a, { trustedForwarders: ['example.net'] });
    assert.equal(v.decision, 'accept');
    assert.equal(v.disposition, 'none');
    assert.deepEqual(v.overrides.map((o) => o.type), ['trusted_forwarder']);
    // …but not when the chain fails, nor for a sealer we do not trust
    assert.equal(run({ ...a, arc: { result: 'fail', sealer: null, comment: null } }, { trustedForwarders: ['example.net'] }).decision, 'reject');
    assert.equal(run(a, { trustedForwarders: ['other.example'] }).decision, 'reject');
  });

  it('a whitelisted sender overrides a DMARC failure: mailing_list with a List-Id, else local_policy', () => {
    const a = auth({
      envelope: { ip: '192.0.2.9', helo: 'lists.example.org', mailFrom: 'owner-x@lists.example.org', rcpt: [] },
      dkim: [sig('bank.example', 'fail', 'body hash did not verify')],
      dmarc: dmarcOf('fail', 'v=DMARC1; p=reject'),
      listId: 'x.lists.example.org',
    });
    const list = run(a, { dkimWhitelist: ['lists.example.org'] });
    assert.equal(list.decision, 'accept');
    assert.deepEqual(list.overrides.map((o) => o.type), ['mailing_list']);
    const plain = run({ ...a, listId: null }, { dkimWhitelist: ['lists.example.org'] });
    assert.deepEqual(plain.overrides.map((o) => o.type), ['local_policy']);
    assert.equal(run(a).decision, 'reject');
  });
});

describe('DMARC policy selection (RFC 9989 §4.7, §4.10.1)', () => {
  const apply = (record: string, extra: Partial<DmarcOutcome> = {}, sample = 0): DmarcApplication => applyDmarcPolicy(dmarcOf('fail', record, extra), sample);
  const sub = { authorDomain: 'a.bank.example', policyDomain: 'bank.example' };

  it('p for the policy domain itself; sp for an existing subdomain; np for one that does not exist', () => {
    const record = 'v=DMARC1; p=reject; sp=quarantine; np=none';
    assert.deepEqual([apply(record).tag, apply(record).applied], ['p', 'reject']);
    assert.deepEqual([apply(record, { ...sub, authorDomainExists: true }).tag, apply(record, { ...sub, authorDomainExists: true }).applied], ['sp', 'quarantine']);
    assert.deepEqual([apply(record, { ...sub, authorDomainExists: false }).tag, apply(record, { ...sub, authorDomainExists: false }).applied], ['np', 'none']);
    // existence unknown (DNS failure): sp
    assert.equal(apply(record, { ...sub, authorDomainExists: null }).tag, 'sp');
  });

  it('sp and np fall back to p, np to sp', () => {
    assert.deepEqual([apply('v=DMARC1; p=reject', { ...sub, authorDomainExists: true }).applied], ['reject']);
    assert.deepEqual([apply('v=DMARC1; p=reject; sp=none', { ...sub, authorDomainExists: false }).tag], ['sp']);
  });

  it('t=y: one level weaker, reason policy_test_mode; t=n changes nothing', () => {
    const r = apply('v=DMARC1; p=reject; t=y');
    assert.equal(r.applied, 'quarantine');
    assert.equal(r.overrides[0]?.type, 'policy_test_mode');
    assert.equal(apply('v=DMARC1; p=quarantine; t=y').applied, 'none');
    assert.deepEqual(apply('v=DMARC1; p=none; t=y').overrides, []);
    assert.equal(apply('v=DMARC1; p=reject; t=n').applied, 'reject');
  });

  it('pct=0 reads as t=y; 0 < pct < 100 samples (RFC 7489 §6.6.4), recorded as sampled_out', () => {
    assert.equal(apply('v=DMARC1; p=reject; pct=0').overrides[0]?.type, 'policy_test_mode');
    assert.equal(apply('v=DMARC1; p=reject; pct=30', {}, 10).applied, 'reject');
    const out = apply('v=DMARC1; p=reject; pct=30', {}, 50);
    assert.equal(out.applied, 'quarantine');
    assert.equal(out.overrides[0]?.type, 'sampled_out');
    assert.equal(apply('v=DMARC1; p=reject; pct=100', {}, 99).applied, 'reject');
  });

  it('reads the published tags tolerantly', () => {
    const p = parsePublishedPolicy('v=DMARC1;p=Reject ; SP=quarantine; adkim=S; aspf=x; fo=0:d; t=y; pct=150; rua=mailto:a@x.example,mailto:b@y.example');
    assert.deepEqual(
      { p: p.p, sp: p.sp, adkim: p.adkim, aspf: p.aspf, fo: p.fo, t: p.t, pct: p.pct, rua: p.rua },
      { p: 'reject', sp: 'quarantine', adkim: 's', aspf: null, fo: '0:d', t: 'y', pct: null, rua: 'mailto:a@x.example,mailto:b@y.example' },
    );
    // an invalid p with a rua acts as p=none (RFC 9989 §4.10.1)
    assert.equal(apply('v=DMARC1; p=bogus; rua=mailto:a@x.example').applied, 'none');
  });
});

describe('Authentication-Results (RFC 8601)', () => {
  const a = auth({
    envelope: { ip: '192.0.2.1', helo: 'mx.bank.example', mailFrom: 'odd "user"@bank.example', rcpt: [] },
    spf: { domain: 'bank.example', scope: 'mfrom', result: 'softfail', comment: 'not allowed (really)' },
    dkim: [{ ...sig('bank.example', 'fail', 'rsa-sha1 is historic'), algorithm: 'rsa-sha1', aligned: true }],
    dmarc: dmarcOf('fail', 'v=DMARC1; p=reject; t=y'),
    arc: { result: 'pass', sealer: 'fwd.example.net', comment: 'i=1' },
  });
  const text = authenticationResults('mx.receiver.example', a, applyDmarcPolicy(a.dmarc, 0));

  it('writes each method with its reason and properties, quoting what needs quotes', () => {
    assert.equal(
      text,
      'Authentication-Results: mx.receiver.example; spf=softfail reason="not allowed (really)" smtp.mailfrom="odd \\"user\\"@bank.example"; ' +
        'dkim=fail reason="rsa-sha1 is historic" (2048-bit key; aligned) header.d=bank.example header.s=s1 header.a=rsa-sha1 header.b=abcdefgh; ' +
        'dmarc=fail (p=REJECT applied=QUARANTINE) header.from=bank.example polrec.p=reject; arc=pass (i=1) header.d=fwd.example.net',
    );
  });

  it('folds after each result, never inside a quoted string or a comment', () => {
    const folded = foldHeader(text);
    assert.equal(folded.split('\n').length, 5);
    assert.ok(folded.includes('reason="not allowed (really)"'));
    assert.equal(folded.replace(/\n\t/g, ' '), text);
  });

  it('uses smtp.helo for the null reverse-path (RFC 7208 §2.4)', () => {
    const bounce = auth({ envelope: { ip: '192.0.2.1', helo: 'mx.bank.example', mailFrom: '', rcpt: [] }, spf: { domain: 'mx.bank.example', scope: 'helo', result: 'pass', comment: null } });
    assert.match(authenticationResults('mx', bounce, applyDmarcPolicy(bounce.dmarc, 0)), /spf=pass smtp\.helo=mx\.bank\.example;/);
  });
});
