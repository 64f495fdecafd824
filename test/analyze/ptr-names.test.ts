/** PTR names through a real DNS server on loopback, cached in a real SQLite database. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPtrNames } from '../../src/analyze/ptr-names.js';
import { createDnsResolver } from '../../src/platform/dns-resolver.js';
import type { DnsResolver } from '../../src/ports/dns.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { PtrCache } from '../../src/store/ptr-cache.js';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';

describe('namesFor', () => {
  let dns: DnsServer;
  let resolver: DnsResolver;
  let db: Database;
  let now = 1_800_000_000;
  const clock = { now: () => now };

  before(async () => {
    dns = await startDnsServer({
      '10.2.0.192.in-addr.arpa': { PTR: ['mail.example.com.'] },
      'mail.example.com': { A: ['192.0.2.10'] },
      '11.2.0.192.in-addr.arpa': { PTR: ['liar.example.net'] },
      'liar.example.net': { A: ['198.51.100.1'] },
      '12.2.0.192.in-addr.arpa': { servfail: true },
      '13.2.0.192.in-addr.arpa': { silent: true },
      '5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa': { PTR: ['mx6.example.com'] },
      'mx6.example.com': { AAAA: ['2001:db8::25'] },
    });
    resolver = createDnsResolver({ servers: [dns.server], timeoutMs: 500 }, { cacheSeconds: 0 });
    db = openDatabase(':memory:');
  });
  after(async () => {
    db.close();
    await dns.stop();
  });

  it('returns forward-confirmed names, null for none or unconfirmed, nothing for DNS trouble', async () => {
    const names = createPtrNames({ cache: new PtrCache(db), resolver, clock, timeoutMs: 1500 });
    const map = await names.namesFor(['192.0.2.10', '192.0.2.11', '192.0.2.99', '192.0.2.12', '192.0.2.13', '2001:db8::25', '::ffff:c000:20a']);
    assert.equal(map.get('192.0.2.10'), 'mail.example.com');
    assert.equal(map.get('192.0.2.11'), null, 'PTR name does not point back');
    assert.equal(map.get('192.0.2.99'), null, 'no PTR');
    assert.equal(map.has('192.0.2.12'), false, 'SERVFAIL: not known');
    assert.equal(map.has('192.0.2.13'), false, 'timeout: not known');
    assert.equal(map.get('2001:db8::25'), 'mx6.example.com');
    assert.equal(map.get('::ffff:c000:20a'), 'mail.example.com', 'IPv4-mapped is looked up as IPv4');
    const cached = new PtrCache(db).get(['192.0.2.11', '192.0.2.12']);
    assert.deepEqual(cached.get('192.0.2.11'), { ip: '192.0.2.11', name: 'liar.example.net', confirmed: false, fetchedAt: now });
    assert.equal(cached.has('192.0.2.12'), false, 'temporary errors are not cached');
  });

  it('answers from the cache until the TTL runs out, then asks again', async () => {
    const names = createPtrNames({ cache: new PtrCache(db), resolver, clock, ttlSeconds: 3600 });
    const asked = dns.queries.length;
    assert.equal((await names.namesFor(['192.0.2.10'])).get('192.0.2.10'), 'mail.example.com');
    assert.equal(dns.queries.length, asked);
    dns.set('mail.example.com', { A: ['192.0.2.77'] });
    now += 3600;
    assert.equal((await names.namesFor(['192.0.2.10'])).get('192.0.2.10'), null, 'no longer confirmed');
    assert.ok(dns.queries.length > asked);
  });

  it('offline: the cache answers whatever its age, and unknown IPs stay unknown', async () => {
    const names = createPtrNames({ cache: new PtrCache(db), resolver: null, clock, ttlSeconds: 1 });
    now += 10 * 86_400;
    const asked = dns.queries.length;
    const map = await names.namesFor(['2001:db8::25', '192.0.2.200']);
    assert.equal(map.get('2001:db8::25'), 'mx6.example.com');
    assert.equal(map.has('192.0.2.200'), false);
    assert.equal(dns.queries.length, asked);
  });

  it('looks up at most maxLookups IPs in one run, the first ones asked', async () => {
    const names = createPtrNames({ cache: new PtrCache(openDatabase(':memory:')), resolver, clock, maxLookups: 2 });
    const first = await names.namesFor(['192.0.2.10', '192.0.2.11', '192.0.2.99']);
    assert.deepEqual([...first.keys()], ['192.0.2.10', '192.0.2.11']);
    const asked = dns.queries.length;
    assert.equal((await names.namesFor(['192.0.2.99'])).has('192.0.2.99'), false);
    assert.equal(dns.queries.length, asked, 'budget spent: no more queries');
  });

  it('keeps at most `concurrency` lookups in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const counting: DnsResolver = async (name, type) => {
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        return await resolver(name, type);
      } finally {
        inFlight--;
      }
    };
    const names = createPtrNames({ cache: new PtrCache(openDatabase(':memory:')), resolver: counting, clock, concurrency: 3 });
    const ips = Array.from({ length: 20 }, (_, i) => `198.51.100.${i + 1}`);
    const map = await names.namesFor(ips);
    assert.equal(map.size, 20);
    assert.ok(most <= 3 && most >= 2, `at most 3 in flight, saw ${most}`);
  });

  it('returns within budgetMs however slow DNS is; what was found by then is kept', async () => {
    const slow = createDnsResolver({ servers: [dns.server], timeoutMs: 5000 }, { cacheSeconds: 0 });
    const names = createPtrNames({ cache: new PtrCache(db), resolver: slow, clock, timeoutMs: 4000, budgetMs: 800, concurrency: 2 });
    dns.set('20.2.0.192.in-addr.arpa', { PTR: ['fast.example.com'] });
    dns.set('fast.example.com', { A: ['192.0.2.20'] });
    dns.set('14.2.0.192.in-addr.arpa', { silent: true });
    const started = performance.now();
    const map = await names.namesFor(['192.0.2.20', '192.0.2.13', '192.0.2.14']);
    const ms = performance.now() - started;
    assert.ok(ms < 2000, `took ${Math.round(ms)} ms`);
    assert.equal(map.get('192.0.2.20'), 'fast.example.com');
    assert.equal(map.has('192.0.2.14'), false);
    assert.equal(map.has('192.0.2.13'), false);
  });
});
