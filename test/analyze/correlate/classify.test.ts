/** The pure classifier, rule by rule (the golden tests in test/jobs cover it end to end). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DomainConfig } from '../../../src/app/config.js';
import { classifyRecord } from '../../../src/analyze/correlate/classify.js';
import type { RecordFacts } from '../../../src/store/record-facts.js';
import { compileProfile, ownerOf } from '../../../src/analyze/correlate/profile.js';
import { sourceVerdictText } from '../../../src/deliver/source-verdict-text.js';

function domain(over: Partial<DomainConfig> = {}): DomainConfig {
  return { name: 'example.com', dkimKeysDir: null, keys: [], retiredSelectors: [], relays: [], services: [], summaryTo: [], ...over };
}
const service = (name: string, over: { ips?: string[]; ptr?: string[]; dkim?: string[] }) => ({ name, ips: [], ptr: [], dkim: [], ...over });
const KEY = [{ signingDomain: 'example.com', selector: 's2026' }];

function facts(over: Partial<RecordFacts> = {}): RecordFacts {
  return {
    sourceIp: '192.0.2.10',
    headerFrom: 'example.com',
    policyDomain: 'example.com',
    dkimAligned: 'pass',
    spfAligned: 'pass',
    adkim: null,
    aspf: null,
    p: 'none',
    sp: null,
    dkim: [{ domain: 'example.com', selector: 's2026', result: 'pass' }],
    spf: [{ domain: 'example.com', scope: 'mfrom', result: 'pass' }],
    reasons: [],
    ...over,
  };
}

const profile = (over: Partial<DomainConfig> = {}, keys = KEY) => compileProfile(domain(over), keys, ['example.com']);
const classify = (f: Partial<RecordFacts>, over: Partial<DomainConfig> = {}, keys = KEY, ptr: string | null = null) =>
  classifyRecord(facts(f), profile(over, keys), ptr);

describe('classifyRecord: who sent it', () => {
  it('a relay wins over a service listing the same IP', () => {
    const c = classify({}, { relays: ['192.0.2.0/24'], services: [service('ESP', { ips: ['192.0.2.10'] })] });
    assert.deepEqual([c.class, c.matchedBy, c.service], ['ours-pass', 'relay', null]);
  });

  it('services match by IP, then PTR suffix, then passing DKIM d=', () => {
    const services = [service('ByDkim', { dkim: ['esp.example'] }), service('ByPtr', { ptr: ['esp.example'] }), service('ByIp', { ips: ['192.0.2.0/24'] })];
    const f = { dkim: [{ domain: 'mail.esp.example', selector: 'k', result: 'pass' }] };
    assert.equal(classify(f, { services }, KEY, 'o1.esp.example').service, 'ByIp');
    const noIp = services.slice(0, 2);
    assert.deepEqual([classify(f, { services: noIp }, KEY, 'o1.esp.example').service, classify(f, { services: noIp }, KEY, 'o1.esp.example').matchedBy], ['ByPtr', 'ptr']);
    assert.deepEqual([classify(f, { services: noIp }, KEY, null).service, classify(f, { services: noIp }, KEY, null).matchedBy], ['ByDkim', 'dkim']);
    // A suffix matches whole labels only, and a failing signature matches nothing.
    assert.equal(classify(f, { services: [service('P', { ptr: ['esp.example'] })] }, KEY, 'evilesp.example').service, null);
    const failing = { dkimAligned: 'fail', spfAligned: 'fail', dkim: [{ domain: 'esp.example', selector: 'k', result: 'fail' }], spf: [] };
    assert.equal(classify(failing, { services: [service('D', { dkim: ['esp.example'] })] }).class, 'spoof');
  });
});

describe('classifyRecord: our relays', () => {
  const relays = ['192.0.2.10'];
  it('DKIM failure is reported before SPF failure, and says SPF fails too', () => {
    const c = classify({ dkimAligned: 'fail', spfAligned: 'fail', dkim: [], spf: [{ domain: 'example.com', scope: 'mfrom', result: 'fail' }] }, { relays });
    assert.deepEqual([c.class, c.cause], ['ours-dkim-fail', 'no-signature']);
    assert.match(sourceVerdictText(c).reason, /SPF fail for example\.com/);
  });

  it('the most serious cause wins when several signatures fail', () => {
    const dkim = [
      { domain: 'relay-provider.example', selector: 'x', result: 'pass' },
      { domain: 'example.com', selector: 'old', result: 'fail' },
      { domain: 'example.com', selector: 's2026', result: 'fail' },
    ];
    const c = classify({ dkimAligned: 'fail', dkim }, { relays, retiredSelectors: ['old'] });
    assert.deepEqual([c.cause, /s2026/.test(sourceVerdictText(c).reason), /ruaflow check/.test(sourceVerdictText(c).fix)], ['key-mismatch', true, true]);
    assert.equal(classify({ dkimAligned: 'fail', dkim: dkim.slice(0, 2) }, { relays, retiredSelectors: ['old'] }).cause, 'retired-selector');
    assert.equal(classify({ dkimAligned: 'fail', dkim: dkim.slice(0, 1) }, { relays }).cause, 'not-aligned');
  });

  it('a passing signature with a retired or unknown selector is still a DKIM problem of our relay', () => {
    const retired = classify({ dkim: [{ domain: 'example.com', selector: 'old', result: 'pass' }] }, { relays, retiredSelectors: ['old'] });
    assert.deepEqual([retired.class, retired.cause], ['ours-dkim-fail', 'retired-selector']);
    assert.match(sourceVerdictText(retired).reason, /still published, and removing it will break this mail/);
    const unknown = classify({ dkim: [{ domain: 'example.com', selector: 'other', result: 'pass' }] }, { relays });
    assert.deepEqual([unknown.class, unknown.cause], ['ours-dkim-fail', 'unknown-selector']);
    // Beside a passing signature with our current key, neither matters.
    const both = classify({ dkim: [{ domain: 'example.com', selector: 'other', result: 'pass' }, { domain: 'example.com', selector: 's2026', result: 'pass' }] }, { relays });
    assert.equal(both.class, 'ours-pass');
  });

  it('our key that passes but does not align (a symlinked key folder) asks for a key of its own', () => {
    const client = compileProfile(domain({ name: 'client.example', relays }), [{ signingDomain: 'example.org', selector: 'k1' }], ['client.example']);
    const c = classifyRecord(
      facts({ headerFrom: 'client.example', policyDomain: 'client.example', dkimAligned: 'fail', dkim: [{ domain: 'example.org', selector: 'k1', result: 'pass' }] }),
      client,
      null,
    );
    assert.deepEqual([c.class, c.cause], ['ours-dkim-fail', 'not-aligned']);
    assert.deepEqual(c.remedy, { kind: 'key-of-its-own', from: 'client.example', strict: false });
  });

  it('without configured keys every selector is unknown, and the reason says why', () => {
    const c = classify({ dkimAligned: 'fail', dkim: [{ domain: 'example.com', selector: 'k', result: 'fail' }] }, { relays }, []);
    assert.equal(c.cause, 'unknown-selector');
    assert.deepEqual(c.finding.kind === 'relay-dkim-fail' ? c.finding.problem : null, {
      kind: 'unknown-selector',
      signature: { domain: 'example.com', selector: 'k', result: 'fail' },
      domain: 'example.com',
      ourSelectors: [],
    });
    assert.match(sourceVerdictText(c).reason, /no signing keys are configured/);
  });

  it('SPF passing for an unaligned envelope domain is not an SPF failure of the relay', () => {
    const c = classify({ spfAligned: 'fail', spf: [{ domain: 'bounces.example.net', scope: 'mfrom', result: 'pass' }] }, { relays });
    assert.equal(c.class, 'ours-pass');
    const f = classify({ spfAligned: 'fail', spf: [{ domain: 'example.com', scope: 'mfrom', result: 'softfail' }] }, { relays });
    assert.equal(f.class, 'ours-spf-fail');
    assert.deepEqual(f.remedy, { kind: 'authorise-relay-in-spf', mechanism: 'ip4:192.0.2.10', spfDomain: 'example.com' });
    assert.equal(sourceVerdictText(f).fix, "Add ip4:192.0.2.10 (or the relay's range) to the SPF record of example.com.");
  });

  it('judges alignment from the raw results when the reporter left policy_evaluated out', () => {
    const raw = { dkimAligned: null, spfAligned: null };
    assert.equal(classify(raw, { relays }).class, 'ours-pass');
    const strict = classify({ ...raw, adkim: 's', dkim: [{ domain: 'mail.example.com', selector: 's2026', result: 'pass' }] }, { relays });
    assert.deepEqual([strict.class, strict.cause], ['ours-dkim-fail', 'not-aligned']);
  });
});

describe('classifyRecord: unknown sources', () => {
  const unknownIp = { sourceIp: '203.0.113.9' };
  it('the reporter saying "forwarded" wins, but an ARC failure is no such word', () => {
    const f = classify({ ...unknownIp, reasons: [{ type: 'trusted_forwarder', comment: null }] });
    assert.equal(f.class, 'forwarded');
    const failing = { ...unknownIp, dkimAligned: 'fail', spfAligned: 'fail', dkim: [], spf: [{ domain: 'example.com', scope: 'mfrom', result: 'fail' }] };
    assert.equal(classify({ ...failing, reasons: [{ type: 'local_policy', comment: 'arc=pass as.2.example=pass' }] }).class, 'forwarded');
    assert.equal(classify({ ...failing, reasons: [{ type: 'local_policy', comment: 'arc=fail' }] }).class, 'spoof');
    assert.equal(classify({ ...failing, reasons: [{ type: 'sampled_out', comment: null }] }).class, 'spoof');
  });

  it('the spoof fix follows the published policy, sp for a subdomain', () => {
    const failing = { ...unknownIp, dkimAligned: 'fail', spfAligned: 'fail', dkim: [], spf: [] };
    assert.deepEqual(classify({ ...failing, p: 'reject' }).remedy, { kind: 'policy-rejects', tag: 'p' });
    assert.deepEqual(classify({ ...failing, p: 'quarantine' }).remedy, { kind: 'policy-quarantines', tag: 'p' });
    assert.deepEqual(classify({ ...failing, p: 'none' }).remedy, { kind: 'publish-enforcing-policy', tag: 'p', now: 'none' });
    assert.deepEqual(classify({ ...failing, p: null }).remedy, { kind: 'publish-enforcing-policy', tag: 'p', now: null });
    assert.deepEqual(classify({ ...failing, headerFrom: 'shop.example.com', p: 'none', sp: 'reject' }).remedy, { kind: 'policy-rejects', tag: 'sp' });
    assert.match(sourceVerdictText(classify({ ...failing, p: 'none' })).fix, /publish p=quarantine or p=reject .*now p=none/);
  });
});

describe('ownerOf', () => {
  const domains = ['example.com', 'shop.example.com', 'example.org'];
  it('the most specific configured domain of header From, else of the policy domain', () => {
    assert.equal(ownerOf('a.shop.example.com', 'example.com', domains), 'shop.example.com');
    assert.equal(ownerOf('news.example.com', 'example.com', domains), 'example.com');
    assert.equal(ownerOf('EXAMPLE.ORG.', 'x.net', domains), 'example.org');
    assert.equal(ownerOf(null, 'example.org', domains), 'example.org');
    assert.equal(ownerOf('other.net', 'example.com', domains), 'example.com');
    assert.equal(ownerOf('other.net', 'notexample.com', domains), null);
  });
});

describe('compileProfile hash', () => {
  it('changes with what changes a class, not with the order it is written in', () => {
    const base = profile({ relays: ['192.0.2.10', '2001:db8::/48'] }).hash;
    assert.equal(profile({ relays: ['2001:db8::/48', '192.0.2.10'] }).hash, base);
    assert.notEqual(profile({ relays: ['192.0.2.10'] }).hash, base);
    assert.notEqual(profile({ relays: ['192.0.2.10', '2001:db8::/48'], retiredSelectors: ['old'] }).hash, base);
    assert.notEqual(profile({ relays: ['192.0.2.10', '2001:db8::/48'] }, [{ signingDomain: 'example.com', selector: 's2027' }]).hash, base);
    const withSub = compileProfile(domain({ relays: ['192.0.2.10', '2001:db8::/48'] }), KEY, ['example.com', 'shop.example.com']).hash;
    assert.notEqual(withSub, base, 'a new configured subdomain takes records away');
  });
});
