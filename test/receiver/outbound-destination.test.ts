/**
 * Verifying external report destinations (RFC 7489 §7.1, RFC 9990 §3) against a real DNS server
 * on loopback, through the real resolver.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDnsResolver } from '../../src/platform/dns-resolver.js';
import type { DnsResolver } from '../../src/ports/dns.js';
import { authorizationName, checkDestination } from '../../src/dmarc/destination.js';
import { sameOrganisation } from '../../src/dmarc/org-domain.js';
import { parseRua } from '../../src/dmarc/rua.js';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';

let dns: DnsServer;
let resolver: DnsResolver;
const dest = (uri: string) => {
  const d = parseRua(uri, 1).destinations[0];
  assert.ok(d, uri);
  return d;
};

before(async () => {
  dns = await startDnsServer({
    'example.com._report._dmarc.reports.example.net': { TXT: ['v=DMARC1'] },
    'example.org._report._dmarc.reports.example.net': { TXT: ['v=spf1 -all', 'v=DMARC1;'] },
    '*._report._dmarc.wild.example': { TXT: ['v=DMARC1; '] },
    'example.com._report._dmarc.moved.example': { TXT: ['v=DMARC1; rua=mailto:other@moved.example'] },
    'example.org._report._dmarc.moved.example': { TXT: ['v=DMARC1; rua=mailto:x@elsewhere.example'] },
    'example.com._report._dmarc.broken.example': { servfail: true },
    'example.com._report._dmarc.nope.example': { TXT: ['something else'] },
  });
  resolver = createDnsResolver({ servers: [dns.server], timeoutMs: 1500 });
});
after(async () => {
  await dns.stop();
});

describe('external destinations', () => {
  it('needs no record within the same Organizational Domain', async () => {
    assert.ok(sameOrganisation('mail.example.co.uk', 'example.co.uk') && !sameOrganisation('example.co.uk', 'other.co.uk'));
    const before = dns.queries.length;
    const r = await checkDestination(resolver, 'mail.example.com', dest('mailto:dmarc@reports.example.com'));
    assert.equal(r.kind, 'internal');
    assert.equal(dns.queries.length, before, 'no DNS query');
  });

  it('is authorised by a v=DMARC1 record at <policy-domain>._report._dmarc.<host>', async () => {
    assert.equal((await checkDestination(resolver, 'example.com', dest('mailto:a@reports.example.net'))).kind, 'authorized');
    assert.equal((await checkDestination(resolver, 'example.org', dest('mailto:a@reports.example.net'))).kind, 'authorized', 'other TXT records beside it are ignored');
    assert.equal((await checkDestination(resolver, 'any.example', dest('mailto:a@wild.example'))).kind, 'authorized', 'a wildcard record');
    assert.ok(dns.queries.some((q) => q.name === 'example.com._report._dmarc.reports.example.net' && q.type === 'TXT'));
  });

  it('is not authorised without such a record', async () => {
    const none = await checkDestination(resolver, 'example.com', dest('mailto:a@spam-trap.example'));
    assert.equal(none.kind, 'unauthorized');
    assert.equal((await checkDestination(resolver, 'example.com', dest('mailto:a@nope.example'))).kind, 'unauthorized', 'a TXT record that is not v=DMARC1');
  });

  it('a rua in the record replaces the URI on the same host, and names another host at its peril', async () => {
    const moved = await checkDestination(resolver, 'example.com', dest('mailto:a@moved.example'));
    assert.equal(moved.kind, 'authorized');
    assert.equal(moved.kind === 'authorized' ? moved.destination.address : '', 'other@moved.example');
    assert.equal((await checkDestination(resolver, 'example.org', dest('mailto:a@moved.example'))).kind, 'unauthorized');
  });

  it('a temporary DNS failure defers (temperror), it does not drop', async () => {
    const r = await checkDestination(resolver, 'example.com', dest('mailto:a@broken.example'));
    assert.equal(r.kind, 'temperror');
  });

  it('a name longer than DNS allows authorises nothing', () => {
    assert.equal(authorizationName(`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(20)}.example`, 'reports.example.net'), null);
    assert.equal(authorizationName('bücher.example', 'r.example'), 'xn--bcher-kva.example._report._dmarc.r.example');
  });
});
