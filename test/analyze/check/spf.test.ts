/**
 * SPF checks against zones served by a real loopback DNS server; relays and services are
 * evaluated by mailauth through the same resolver.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseZoneTxt, spfWithTerm } from '../../../src/analyze/check/records.js';
import { parseSpfRecord } from '../../../src/analyze/check/spf-record.js';
import { checkSpf } from '../../../src/analyze/check/spf.js';
import { startDnsServer, type DnsServer } from '../../helpers/dns-server.js';
import { contextFor, domainConfig, only, setupOf, statuses } from './support.js';

let dns: DnsServer;
before(async () => {
  dns = await startDnsServer({
    '_spf.service.example.net': { TXT: ['v=spf1 ip4:198.51.100.0/24 -all'] },
    'mx1.example.net': { A: ['203.0.113.25'] },
  });
});
after(() => dns.stop());

let n = 0;
function zone(spf: string | readonly string[] | null): string {
  const domain = `s${++n}.example.com`;
  if (spf !== null) dns.set(domain, { TXT: typeof spf === 'string' ? [spf] : spf });
  return domain;
}
const ours = { relays: ['192.0.2.10', '2001:db8::/48'], services: [{ name: 'mailer', ips: ['198.51.100.0/24'], ptr: [], dkim: [] }] };
const run = (domain: string, extra: Partial<typeof ours> = ours) => checkSpf(setupOf(domainConfig(domain, { ...ours, ...extra })), contextFor(dns));

describe('spf.record, spf.all', () => {
  it('passes a single valid record that covers relays and services', async () => {
    const results = await run(zone('v=spf1 ip4:192.0.2.10 ip6:2001:db8::/48 include:_spf.service.example.net -all'));
    assert.deepEqual(statuses(results), { 'spf.record': 'pass', 'spf.all': 'pass', 'spf.lookups': 'pass', 'spf.relay': 'pass', 'spf.service': 'pass' });
    assert.equal(results.filter((r) => r.check === 'spf.relay').length, 2);
    assert.equal(results.filter((r) => r.check === 'spf.relay')[1]!.detail, 'relay 2001:db8::/48: pass for the whole range (ip6:2001:db8::/48)');
  });

  it('fails without a record; the fix is built from relays and services', async () => {
    const domain = zone(null);
    const r = only(await run(domain), 'spf.record');
    assert.equal(r.status, 'fail');
    assert.deepEqual(parseZoneTxt(r.fix?.split('\n')[1] ?? ''), { name: domain, value: 'v=spf1 ip4:192.0.2.10 ip6:2001:db8::/48 ip4:198.51.100.0/24 -all' });
  });

  it('fails with two SPF records or a syntax error (permerror)', async () => {
    const two = only(await run(zone(['v=spf1 -all', 'v=spf1 mx -all'])), 'spf.record');
    assert.equal(two.status, 'fail');
    assert.match(two.detail, /2 SPF records/);
    for (const text of ['v=spf1 ip4:192.0.2.300 -all', 'v=spf1 include -all', 'v=spf1 foo:bar -all', 'v=spf1 redirect=a.example redirect=b.example']) {
      assert.equal(only(await run(zone(text)), 'spf.record').status, 'fail', text);
    }
  });

  it('fails +all, warns about ?all and a record without all', async () => {
    assert.equal(only(await run(zone('v=spf1 ip4:192.0.2.10 +all')), 'spf.all').status, 'fail');
    assert.equal(only(await run(zone('v=spf1 ip4:192.0.2.10 ?all')), 'spf.all').status, 'warn');
    assert.equal(only(await run(zone('v=spf1 ip4:192.0.2.10')), 'spf.all').status, 'warn');
    assert.equal(only(await run(zone('v=spf1 ip4:192.0.2.10 ~all')), 'spf.all').status, 'pass');
  });
});

describe('spf.relay, spf.service (mailauth evaluation)', () => {
  it('fails a relay or a service the record does not cover; the fix adds the range before -all', async () => {
    const domain = zone('v=spf1 ip4:192.0.2.10 -all');
    const results = await run(domain);
    const relays = results.filter((r) => r.check === 'spf.relay');
    assert.deepEqual(relays.map((r) => r.status), ['pass', 'fail']);
    assert.deepEqual(parseZoneTxt(relays[1]!.fix?.split('\n')[1] ?? ''), { name: domain, value: 'v=spf1 ip4:192.0.2.10 ip6:2001:db8::/48 -all' });
    const service = only(results, 'spf.service');
    assert.equal(service.status, 'fail');
    assert.match(service.detail, /service mailer 198\.51\.100\.0\/24: fail/);
  });

  it('softfail is not pass', async () => {
    const relay = only(await run(zone('v=spf1 ~all'), { relays: ['192.0.2.10'], services: [] }), 'spf.relay');
    assert.equal(relay.status, 'fail');
    assert.match(relay.detail, /softfail/);
  });

  it('warns when no relays are configured', async () => {
    const relay = only(await run(zone('v=spf1 mx -all'), { relays: [], services: [] }), 'spf.relay');
    assert.equal(relay.status, 'warn');
  });

  it('a relay evaluated during a DNS failure is a fail that says to retry', async () => {
    const domain = zone('v=spf1 include:broken.example.net -all');
    dns.set('broken.example.net', { servfail: true });
    const results = await run(domain, { relays: ['192.0.2.10'], services: [] });
    assert.match(only(results, 'spf.relay').detail, /temperror.*retry/);
    assert.equal(only(results, 'spf.lookups').status, 'fail');
    assert.match(only(results, 'spf.lookups').detail, /DNS temperror/);
  });
});

describe('spf.lookups (RFC 7208 §4.6.4)', () => {
  it('counts include, a, mx, exists and redirect recursively and fails above 10', async () => {
    for (let i = 0; i < 11; i++) dns.set(`chain${i}.example.net`, { TXT: [i < 10 ? `v=spf1 include:chain${i + 1}.example.net -all` : 'v=spf1 ip4:192.0.2.10 -all'] });
    const over = only(await run(zone('v=spf1 include:chain0.example.net -all'), { relays: [], services: [] }), 'spf.lookups');
    assert.equal(over.status, 'fail');
    assert.match(over.detail, /^11 DNS lookups/);
    const fine = only(await run(zone('v=spf1 a:mx1.example.net mx:example.net include:_spf.service.example.net -all'), { relays: [], services: [] }), 'spf.lookups');
    // example.net has no MX: one void lookup, within the limit of 2, named in the detail.
    assert.equal(fine.status, 'pass');
    assert.match(fine.detail, /^3 DNS lookups \(limit 10\), 1 void \(limit 2\); mx:example\.net: example\.net has no MX \(void\)/);
  });

  it('fails more than 2 void lookups, and an include without an SPF record', async () => {
    const voids = only(await run(zone('v=spf1 a:nx1.example.net a:nx2.example.net a:nx3.example.net ip4:192.0.2.10 -all'), { relays: [], services: [] }), 'spf.lookups');
    assert.equal(voids.status, 'fail');
    assert.match(voids.detail, /3 void \(limit 2\)/);
    const missing = only(await run(zone('v=spf1 include:nothing.example.net -all'), { relays: [], services: [] }), 'spf.lookups');
    assert.equal(missing.status, 'fail');
    assert.match(missing.detail, /include:nothing\.example\.net: no SPF record \(permerror\)/);
  });

  it('fails an mx term whose name has more than 10 MX records', async () => {
    dns.set('many-mx.example.net', { MX: Array.from({ length: 11 }, (_, i) => ({ exchange: `mx${i}.example.net`, priority: i })) });
    const r = only(await run(zone('v=spf1 mx:many-mx.example.net -all'), { relays: [], services: [] }), 'spf.lookups');
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /11 MX records, more than 10 \(permerror\)/);
  });

  it('passes a record within the limits', async () => {
    const ok = only(await run(zone('v=spf1 a:mx1.example.net include:_spf.service.example.net ip4:192.0.2.10 -all'), { relays: [], services: [] }), 'spf.lookups');
    assert.equal(ok.status, 'pass');
    assert.match(ok.detail, /^2 DNS lookups \(limit 10\), 0 void/);
  });
});

describe('SPF pieces (pure)', () => {
  it('parses terms; adds a term before all or redirect=', () => {
    const r = parseSpfRecord('v=spf1 -ip4:192.0.2.0/24 a mx:example.net/24 ~all exp=explain.example');
    assert.deepEqual(r.terms.map((t) => (t.kind === 'mechanism' ? `${t.qualifier}${t.name}:${t.target ?? ''}` : `${t.name}=`)), ['-ip4:192.0.2.0', '+a:', '+mx:example.net', '~all:', 'exp=']);
    assert.equal(spfWithTerm('v=spf1 mx redirect=_spf.example.com', 'ip4:192.0.2.1'), 'v=spf1 mx ip4:192.0.2.1 redirect=_spf.example.com');
  });
});
