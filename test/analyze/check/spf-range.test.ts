/**
 * spf.relay and spf.service judge whole ranges, against zones served by a real loopback DNS
 * server: decided from the record's ip4:/ip6: terms (through include: and redirect=), sampled
 * with mailauth where the record uses terms that depend on each address.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseZoneTxt } from '../../../src/analyze/check/records.js';
import { checkSpf } from '../../../src/analyze/check/spf.js';
import type { CheckResult } from '../../../src/analyze/check/types.js';
import { startDnsServer, type DnsServer } from '../../helpers/dns-server.js';
import { contextFor, domainConfig, only, setupOf } from './support.js';

let dns: DnsServer;
before(async () => {
  dns = await startDnsServer({
    '_spf.relays.example.net': { TXT: ['v=spf1 ip4:192.0.2.0/24 -all'] },
    'out.example.net': { A: ['192.0.2.1'] },
    'mx.example.net': { A: ['192.0.2.0'] },
  });
});
after(() => dns.stop());

let n = 0;
/** A fresh domain with this SPF record; `extra` adds records under it, and `{d}` in any text
 * stands for the domain. */
function zone(spf: string, extra: Record<string, string> = {}): string {
  const domain = `r${++n}.example.com`;
  dns.set(domain, { TXT: [spf.replaceAll('{d}', domain)] });
  for (const [name, txt] of Object.entries(extra)) dns.set(`${name}.${domain}`, { TXT: [txt] });
  return domain;
}
type Services = { name: string; ips: string[]; ptr: string[]; dkim: string[] }[];
const check = async (domain: string, relays: string[], services: Services = []): Promise<CheckResult[]> =>
  checkSpf(setupOf(domainConfig(domain, { relays, services })), contextFor(dns));
/** The record in the second line of a fix (`add …:` then the zone line). */
const fixedRecord = (r: CheckResult): string | undefined => parseZoneTxt(r.fix?.split('\n')[1] ?? '')?.value;

describe('spf.relay over a whole range', () => {
  it('fails a /24 relay when the record covers only the /25 its first address is in; names the other half and adds it', async () => {
    const domain = zone('v=spf1 ip4:192.0.2.0/25 -all');
    const r = only(await check(domain, ['192.0.2.0/24']), 'spf.relay');
    assert.equal(r.status, 'fail');
    assert.equal(r.detail, 'relay 192.0.2.0/24: only partly authorised: 192.0.2.128/25 fail (-all); 192.0.2.0/25 pass (ip4:192.0.2.0/25)');
    assert.match(r.fix ?? '', /^add ip4:192\.0\.2\.128\/25:/);
    assert.equal(fixedRecord(r), 'v=spf1 ip4:192.0.2.0/25 ip4:192.0.2.128/25 -all');
  });

  it('passes a /24 covered through include:', async () => {
    const r = only(await check(zone('v=spf1 include:_spf.relays.example.net -all'), ['192.0.2.0/24']), 'spf.relay');
    assert.equal(r.status, 'pass');
    assert.equal(r.detail, 'relay 192.0.2.0/24: pass for the whole range (include:_spf.relays.example.net)');
    assert.equal(r.fix, null);
  });

  it('passes a /24 covered through redirect= and two halves in the record', async () => {
    const domain = zone('v=spf1 ip4:192.0.2.0/25 redirect=_spf.{d}', { _spf: 'v=spf1 ip4:192.0.2.128/25 -all' });
    assert.equal(only(await check(domain, ['192.0.2.0/24']), 'spf.relay').status, 'pass');
  });

  it('passes an IPv6 /48 covered by a /32; fails a /48 outside it', async () => {
    const domain = zone('v=spf1 ip4:192.0.2.10 ip6:2001:db8::/32 -all');
    const [inside, outside] = (await check(domain, ['2001:db8:25::/48', '2001:db9::/48'])).filter((r) => r.check === 'spf.relay');
    assert.equal(inside?.status, 'pass');
    assert.equal(inside?.detail, 'relay 2001:db8:25::/48: pass for the whole range (ip6:2001:db8::/32)');
    assert.equal(outside?.status, 'fail');
    assert.equal(outside?.detail, 'relay 2001:db9::/48: fail for the whole range (-all)');
    assert.equal(outside && fixedRecord(outside), 'v=spf1 ip4:192.0.2.10 ip6:2001:db8::/32 ip6:2001:db9::/48 -all');
  });

  it('an earlier -ip4: is named as the term to remove: adding before -all would never be reached', async () => {
    const r = only(await check(zone('v=spf1 -ip4:192.0.2.192/26 ip4:192.0.2.0/24 -all'), ['192.0.2.0/24']), 'spf.relay');
    assert.equal(r.status, 'fail');
    assert.equal(r.detail, 'relay 192.0.2.0/24: only partly authorised: 192.0.2.192/26 fail (-ip4:192.0.2.192/26); 192.0.2.0/25, 192.0.2.128/26 pass (ip4:192.0.2.0/24)');
    assert.match(r.fix ?? '', /^remove or narrow -ip4:192\.0\.2\.192\/26/);
  });

  it('a single address is judged exactly, as before', async () => {
    const r = only(await check(zone('v=spf1 ip4:192.0.2.0/25 ~all'), ['192.0.2.200']), 'spf.relay');
    assert.equal(r.detail, 'relay 192.0.2.200: softfail (~all)');
    assert.equal(fixedRecord(r), 'v=spf1 ip4:192.0.2.0/25 ip4:192.0.2.200 ~all');
  });
});

describe('ranges the record cannot decide as a whole: sampled with mailauth', () => {
  it('an a: term is sampled at the first, middle and last address; all pass is a pass that says so', async () => {
    const r = only(await check(zone('v=spf1 a:out.example.net/24 -all'), ['192.0.2.0/24']), 'spf.relay');
    assert.equal(r.status, 'pass');
    assert.equal(r.detail, `relay 192.0.2.0/24: pass at 192.0.2.0, 192.0.2.128, 192.0.2.255 (sampled with mailauth: a:out.example.net/24 in r${n}.example.com depends on each address, so the range cannot be judged as a whole)`);
  });

  it('an mx term that authorises only the first address fails, and lists the samples', async () => {
    const domain = zone('v=spf1 mx:example.net mx -all');
    dns.set('example.net', { MX: [{ exchange: 'mx.example.net', priority: 10 }] });
    const r = only(await check(domain, ['192.0.2.0/24']), 'spf.relay');
    assert.equal(r.status, 'fail');
    assert.equal(r.detail, `relay 192.0.2.0/24: only partly authorised: pass at 192.0.2.0, fail at 192.0.2.128, 192.0.2.255 (sampled with mailauth: mx:example.net in r${n}.example.com depends on each address, so the range cannot be judged as a whole)`);
    assert.equal(fixedRecord(r), `v=spf1 mx:example.net mx ip4:192.0.2.0/24 -all`);
  });

  it('only the part of the range that reaches the mx term is sampled; the rest is decided', async () => {
    const r = only(await check(zone('v=spf1 ip4:192.0.2.0/25 mx:example.net -all'), ['192.0.2.0/24']), 'spf.relay');
    assert.equal(r.status, 'fail');
    assert.equal(
      r.detail,
      `relay 192.0.2.0/24: only partly authorised: 192.0.2.128/25 fail at 192.0.2.128, 192.0.2.192, 192.0.2.255 (sampled with mailauth: mx:example.net in r${n}.example.com depends on each address); 192.0.2.0/25 pass (ip4:192.0.2.0/25)`,
    );
    assert.equal(fixedRecord(r), 'v=spf1 ip4:192.0.2.0/25 mx:example.net ip4:192.0.2.128/25 -all');
  });

  it('a term that depends on the address but comes after full coverage is never reached: no sampling', async () => {
    const r = only(await check(zone('v=spf1 ip4:192.0.2.0/24 mx -all'), ['192.0.2.0/24']), 'spf.relay');
    assert.equal(r.detail, 'relay 192.0.2.0/24: pass for the whole range (ip4:192.0.2.0/24)');
  });
});

describe('a record over the lookup limit', () => {
  it('is left to mailauth, which stops at the 11th lookup (RFC 7208 §4.6.4): permerror, sampled', async () => {
    for (let i = 0; i < 11; i++) dns.set(`hop${i}.example.net`, { TXT: [i < 10 ? `v=spf1 include:hop${i + 1}.example.net -all` : 'v=spf1 ip4:192.0.2.0/24 -all'] });
    const r = only(await check(zone('v=spf1 include:hop0.example.net -all'), ['192.0.2.0/24']), 'spf.relay');
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /^relay 192\.0\.2\.0\/24: permerror .*\(sampled with mailauth: the record needs more than 10 DNS lookups, so the range cannot be judged as a whole\)$/);
    assert.equal(r.fix, 'fix the SPF record (see spf.record and spf.lookups)');
  });
});

describe('spf.service over a whole range', () => {
  // Today (and before ranges were judged) a service range that does not pass fails, like a
  // relay: the service sends as our domain, so its mail fails SPF too.
  it('a partly covered service range fails, and names the part that is missing', async () => {
    const services = [{ name: 'newsletter', ips: ['198.51.100.0/24'], ptr: [], dkim: [] }];
    const r = only(await check(zone('v=spf1 ip4:192.0.2.10 ip4:198.51.100.0/26 -all'), ['192.0.2.10'], services), 'spf.service');
    assert.equal(r.status, 'fail');
    assert.equal(r.detail, 'service newsletter 198.51.100.0/24: only partly authorised: 198.51.100.64/26, 198.51.100.128/25 fail (-all); 198.51.100.0/26 pass (ip4:198.51.100.0/26)');
    assert.equal(fixedRecord(r), 'v=spf1 ip4:192.0.2.10 ip4:198.51.100.0/26 ip4:198.51.100.64/26 ip4:198.51.100.128/25 -all');
  });
});
