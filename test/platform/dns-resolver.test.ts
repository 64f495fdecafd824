/**
 * The DNS adapter against a real DNS server on loopback, through node's own resolver: answers in
 * node's shapes, "no record" told apart from temporary errors, the cache, and the time bound.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDnsResolver } from '../../src/platform/dns-resolver.js';
import { lookupMx, lookupPtr, lookupTxt, reverseName } from '../../src/ports/dns.js';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';

const LONG = `v=DKIM1; k=rsa; p=${'A'.repeat(400)}`;
let dns: DnsServer;

before(async () => {
  dns = await startDnsServer({
    'example.com': { TXT: ['v=spf1 ip4:192.0.2.10 -all', LONG], MX: [{ exchange: 'mx.example.com', priority: 10 }], A: ['192.0.2.10'] },
    '10.2.0.192.in-addr.arpa': { PTR: ['mail.example.com'] },
    'broken.example': { servfail: true },
    'slow.example': { silent: true },
  });
});
after(() => dns.stop());

describe('DNS resolver (node resolver → loopback server)', () => {
  it('returns TXT records joined from their character-strings, MX, A and PTR', async () => {
    const resolve = createDnsResolver({ servers: [dns.server], timeoutMs: 2000 });
    const txt = await lookupTxt(resolve, 'example.com');
    assert.equal(txt.kind, 'records');
    assert.deepEqual(txt.kind === 'records' ? [...txt.records].sort() : [], [LONG, 'v=spf1 ip4:192.0.2.10 -all'].sort());
    // node's own shape: the long record arrives as two character-strings.
    const raw = (await resolve('example.com', 'TXT')) as string[][];
    assert.ok(raw.some((r) => r.length === 2 && r.join('') === LONG));
    const mx = await lookupMx(resolve, 'example.com');
    assert.deepEqual(mx.kind === 'records' ? mx.records.map((r) => [r.exchange, r.priority]) : mx, [['mx.example.com', 10]]);
    assert.deepEqual(await lookupPtr(resolve, reverseName('192.0.2.10')), { kind: 'records', records: ['mail.example.com'] });
  });

  it('tells NXDOMAIN and NODATA (none) from SERVFAIL (temperror)', async () => {
    const resolve = createDnsResolver({ servers: [dns.server], timeoutMs: 2000 });
    assert.deepEqual(await lookupTxt(resolve, 'nowhere.example'), { kind: 'none', nxdomain: true });
    assert.deepEqual(await lookupPtr(resolve, 'example.com'), { kind: 'none', nxdomain: false });
    const failed = await lookupTxt(resolve, 'broken.example');
    assert.equal(failed.kind, 'temperror');
  });

  it('answers a second query from the cache and shares one in-flight query', async () => {
    const resolve = createDnsResolver({ servers: [dns.server], timeoutMs: 2000 });
    const before = dns.queries.filter((q) => q.name === 'example.com' && q.type === 'A').length;
    await Promise.all([resolve('example.com', 'A'), resolve('EXAMPLE.com.', 'A'), resolve('example.com', 'A')]);
    await resolve('example.com', 'A');
    assert.equal(dns.queries.filter((q) => q.name === 'example.com' && q.type === 'A').length - before, 1);
  });

  it('gives up on a silent server within the configured time, as a temporary error', async () => {
    const resolve = createDnsResolver({ servers: [dns.server], timeoutMs: 300 });
    const started = process.hrtime.bigint();
    const answer = await lookupTxt(resolve, 'slow.example');
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(answer.kind, 'temperror');
    assert.ok(ms < 2000, `took ${ms} ms`);
  });

  it('reverses IPv4 and IPv6 addresses for PTR lookups (RFC 3596 §2.5)', () => {
    assert.equal(reverseName('192.0.2.1'), '1.2.0.192.in-addr.arpa');
    assert.equal(reverseName('2001:db8::1'), `1.${'0.'.repeat(23)}8.b.d.0.1.0.0.2.ip6.arpa`);
  });
});
