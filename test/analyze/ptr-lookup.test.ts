/**
 * The summary's PTR namer against the loopback DNS server: forward confirmation, IPv6 reverse
 * names, a cache that saves the second lookup, and a resolver that never answers holding the
 * summary up no longer than the budget.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPtrNamer } from '../../src/analyze/summary/ptr-lookup.js';
import { createDnsResolver } from '../../src/platform/dns-resolver.js';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';

let dns: DnsServer;

before(async () => {
  dns = await startDnsServer({
    '10.2.0.192.in-addr.arpa': { PTR: ['mail.example.com'] },
    'mail.example.com': { A: ['192.0.2.10'] },
    '11.2.0.192.in-addr.arpa': { PTR: ['liar.example.net'] },
    'liar.example.net': { A: ['198.51.100.1'] },
    '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa': { PTR: ['v6.example.com.'] },
    'v6.example.com': { AAAA: ['2001:db8::1'] },
    '99.2.0.192.in-addr.arpa': { silent: true },
  });
});
after(async () => {
  await dns.stop();
});

describe('PTR names for summaries', () => {
  it('accepts a name only when it resolves back to the address; caches the answers', async () => {
    const cache = new Map<string, string | null>();
    const namesFor = createPtrNamer(createDnsResolver({ servers: [dns.server], timeoutMs: 2000 }), { cache });
    const ips = ['192.0.2.10', '192.0.2.11', '2001:db8::1', '192.0.2.12'];
    const names = await namesFor(ips);
    assert.deepEqual(Object.fromEntries(names), { '192.0.2.10': 'mail.example.com', '192.0.2.11': null, '2001:db8::1': 'v6.example.com', '192.0.2.12': null });
    const asked = dns.queries.length;
    assert.deepEqual(await namesFor(ips), names);
    assert.equal(dns.queries.length, asked, 'the second call is answered from the cache');
  });

  it('a resolver that never answers costs at most the budget, and the rest still get names', async () => {
    const namesFor = createPtrNamer(createDnsResolver({ servers: [dns.server], timeoutMs: 5000 }), { timeoutMs: 300, budgetMs: 1500, concurrency: 2 });
    const started = performance.now();
    const names = await namesFor(['192.0.2.99', '192.0.2.10']);
    const ms = performance.now() - started;
    assert.ok(ms < 2500, `took ${Math.round(ms)} ms`);
    assert.equal(names.get('192.0.2.99'), null);
    assert.equal(names.get('192.0.2.10'), 'mail.example.com');
  });
});
