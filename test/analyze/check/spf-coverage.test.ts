/**
 * Pure range pieces: CIDR blocks (cidr.ts) and what a record says about a whole range
 * (spf-coverage.ts) over hand-built walk trees; and, against a loopback DNS server, that every
 * decided block gets the same result from mailauth at its first, middle and last address.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { spf } from 'mailauth/lib/spf/index.js';
import { firstAddress, formatCidr, lastAddress, merge, middleAddress, parseCidr, split, type Cidr } from '../../../src/analyze/cidr.js';
import { spfCoverage, type SpfCoverage } from '../../../src/analyze/check/spf-coverage.js';
import { parseSpfRecord } from '../../../src/analyze/check/spf-record.js';
import { walkSpf, type SpfNode } from '../../../src/analyze/check/spf-walk.js';
import { startDnsServer, type DnsServer } from '../../helpers/dns-server.js';
import { contextFor } from './support.js';

const cidr = (text: string): Cidr => {
  const c = parseCidr(text);
  assert.ok(c !== null, text);
  return c;
};
const show = (blocks: readonly Cidr[]): string[] => blocks.map((b) => formatCidr(b, true));

/** A tree as the walk would build it: `includes` maps an include:/redirect= target to its record. */
function tree(domain: string, text: string, includes: Record<string, string> = {}): SpfNode {
  const record = parseSpfRecord(text);
  const targets = new Map();
  for (const term of record.terms) {
    const target = term.kind === 'modifier' ? term.value : term.target;
    const sub = target === null ? undefined : includes[target];
    if ((term.name === 'include' || term.name === 'redirect') && target !== null && sub !== undefined) targets.set(term, tree(target, sub, includes));
  }
  return { domain, record, targets };
}
const pieces = (c: SpfCoverage): string[] =>
  [...c.pieces.map((p) => `${formatCidr(p.block, true)} ${p.outcome} ${p.by ?? '-'}${p.atEnd ? ' end' : ''}`), ...c.undecided.map((u) => `${formatCidr(u.block, true)} undecided: ${u.reason}`)].sort();

describe('cidr', () => {
  it('parses addresses and ranges, clearing host bits; a mapped range is IPv4', () => {
    assert.equal(formatCidr(cidr('192.0.2.77/24')), '192.0.2.0/24');
    assert.equal(formatCidr(cidr('192.0.2.10')), '192.0.2.10');
    assert.equal(formatCidr(cidr('2001:DB8:1:2::5/48')), '2001:db8:1::/48');
    assert.equal(formatCidr(cidr('::ffff:192.0.2.0/120')), '192.0.2.0/24');
    assert.equal(parseCidr('192.0.2.0/33'), null);
    assert.equal(parseCidr('relay.example.com'), null);
  });

  it('first, middle and last address', () => {
    const v4 = cidr('192.0.2.0/24');
    assert.deepEqual([firstAddress(v4), middleAddress(v4), lastAddress(v4)].map(String), ['192.0.2.0', '192.0.2.128', '192.0.2.255']);
    const v6 = cidr('2001:db8::/48');
    assert.deepEqual([firstAddress(v6), middleAddress(v6), lastAddress(v6)].map((a) => formatCidr({ network: a, bits: 128 })), ['2001:db8::', '2001:db8:0:8000::', '2001:db8:0:ffff:ffff:ffff:ffff:ffff']);
  });

  it('splits a block by another and merges sibling halves back', () => {
    const { inside, outside } = split(cidr('192.0.2.0/24'), cidr('192.0.2.64/26'));
    assert.deepEqual([show(inside), show(outside)], [['192.0.2.64/26'], ['192.0.2.0/26', '192.0.2.128/25']]);
    assert.deepEqual(show(split(cidr('192.0.2.0/24'), cidr('198.51.100.0/24')).outside), ['192.0.2.0/24']);
    assert.deepEqual(show(split(cidr('192.0.2.0/24'), cidr('2001:db8::/32')).outside), ['192.0.2.0/24']);
    assert.deepEqual(show(merge([cidr('192.0.2.192/26'), cidr('192.0.2.128/26'), cidr('192.0.2.0/25')])), ['192.0.2.0/24']);
    assert.deepEqual(show(merge([cidr('192.0.2.64/26'), cidr('192.0.2.128/26')])), ['192.0.2.64/26', '192.0.2.128/26']);
  });

  it('cutting any block out of a range leaves pieces that add up to the range (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 30 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 0xffff }), (bits, cutBits, offset) => {
        const range = cidr(`10.1.0.0/${bits}`);
        const cut = cidr(`10.1.${offset >> 8}.${offset & 0xff}/${cutBits}`);
        const { inside, outside } = split(range, cut);
        assert.deepEqual(show(merge([...inside, ...outside])), ['10.1.0.0/' + bits].map((t) => formatCidr(cidr(t), true)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('spfCoverage (RFC 7208 §4.6.2: first matching term decides)', () => {
  it('a /25 record covers half of a /24; the other half falls to -all', () => {
    assert.deepEqual(pieces(spfCoverage(tree('ex.com', 'v=spf1 ip4:192.0.2.0/25 -all'), cidr('192.0.2.0/24'))), ['192.0.2.0/25 pass ip4:192.0.2.0/25', '192.0.2.128/25 fail -all end']);
  });

  it('include: matches only where the included record passes; its -all does not end the evaluation', () => {
    const root = tree('ex.com', 'v=spf1 include:a.example ip4:192.0.2.128/25 ~all', { 'a.example': 'v=spf1 ip4:192.0.2.0/26 -all' });
    assert.deepEqual(pieces(spfCoverage(root, cidr('192.0.2.0/24'))), [
      '192.0.2.0/26 pass include:a.example',
      '192.0.2.128/25 pass ip4:192.0.2.128/25',
      '192.0.2.64/26 softfail ~all end',
    ]);
  });

  it('redirect= decides what nothing matched; no all and no redirect is neutral', () => {
    const root = tree('ex.com', 'v=spf1 ip4:192.0.2.0/25 redirect=r.example', { 'r.example': 'v=spf1 ip4:192.0.2.128/26 -all' });
    assert.deepEqual(pieces(spfCoverage(root, cidr('192.0.2.0/24'))), ['192.0.2.0/25 pass ip4:192.0.2.0/25', '192.0.2.128/26 pass redirect=r.example: ip4:192.0.2.128/26 end', '192.0.2.192/26 fail redirect=r.example: -all end']);
    assert.deepEqual(pieces(spfCoverage(tree('ex.com', 'v=spf1 ip4:192.0.2.0/25'), cidr('192.0.2.0/24'))), ['192.0.2.0/25 pass ip4:192.0.2.0/25', '192.0.2.128/25 neutral - end']);
  });

  it('an earlier -ip4: refuses its block before a wider ip4: is reached', () => {
    assert.deepEqual(pieces(spfCoverage(tree('ex.com', 'v=spf1 -ip4:192.0.2.128/25 ip4:192.0.2.0/24 -all'), cidr('192.0.2.0/24'))), ['192.0.2.0/25 pass ip4:192.0.2.0/24', '192.0.2.128/25 fail -ip4:192.0.2.128/25']);
  });

  it('IPv6 ranges meet only ip6: terms', () => {
    assert.deepEqual(pieces(spfCoverage(tree('ex.com', 'v=spf1 ip4:0.0.0.0/0 ip6:2001:db8::/32 -all'), cidr('2001:db8::/48'))), ['2001:db8::/48 pass ip6:2001:db8::/32']);
    assert.deepEqual(pieces(spfCoverage(tree('ex.com', 'v=spf1 ip6:2001:db8::/32 -all'), cidr('192.0.2.0/24'))), ['192.0.2.0/24 fail -all end']);
  });

  it('leaves undecided the blocks that reach a, mx, ptr, exists, or an include that was not followed', () => {
    for (const text of ['v=spf1 a -all', 'v=spf1 mx -all', 'v=spf1 ptr -all', 'v=spf1 exists:%{i}.x.example -all', 'v=spf1 include:gone.example -all', 'v=spf1 ip4:010.0.2.0/24 -all']) {
      const c = spfCoverage(tree('ex.com', text), cidr('192.0.2.0/24'));
      assert.deepEqual([c.pieces.length, show(c.undecided.map((u) => u.block))], [0, ['192.0.2.0/24']], text);
    }
    assert.deepEqual(pieces(spfCoverage(tree('ex.com', 'v=spf1 ip4:192.0.2.0/25 a -all'), cidr('192.0.2.0/24'))), ['192.0.2.0/25 pass ip4:192.0.2.0/25', '192.0.2.128/25 undecided: a in ex.com depends on each address']);
    // Inside an include: what the included record decides before its mx stays decided — its
    // pass matches the include, its fail goes on to the next term of ours.
    const root = tree('ex.com', 'v=spf1 include:i.example ip4:192.0.2.128/26 -all', { 'i.example': 'v=spf1 ip4:192.0.2.0/26 -ip4:192.0.2.128/26 mx -all' });
    assert.deepEqual(pieces(spfCoverage(root, cidr('192.0.2.0/24'))), [
      '192.0.2.0/26 pass include:i.example',
      '192.0.2.128/26 pass ip4:192.0.2.128/26',
      '192.0.2.192/26 undecided: mx in i.example depends on each address',
      '192.0.2.64/26 undecided: mx in i.example depends on each address',
    ]);
    // …and a term after full coverage is never reached: mx is not evaluated at all.
    assert.deepEqual(spfCoverage(tree('ex.com', 'v=spf1 ip4:192.0.2.0/24 mx -all'), cidr('192.0.2.0/24')).undecided, []);
  });
});

describe('spfCoverage agrees with mailauth', () => {
  let dns: DnsServer;
  before(async () => {
    dns = await startDnsServer({
      'inc.example.net': { TXT: ['v=spf1 ip4:192.0.2.0/26 ip6:2001:db8:0:8000::/49 -all'] },
      'red.example.net': { TXT: ['v=spf1 ?ip4:192.0.2.192/27 ip4:192.0.2.128/26 -all'] },
    });
  });
  after(() => dns.stop());

  const records = [
    'v=spf1 ip4:192.0.2.0/25 -all',
    'v=spf1 include:inc.example.net ~ip4:192.0.2.64/26 -all',
    'v=spf1 -ip4:192.0.2.128/25 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all',
    'v=spf1 ip4:192.0.2.0/26 redirect=red.example.net',
    'v=spf1 include:inc.example.net',
  ];
  for (const [i, text] of records.entries()) {
    it(text, async () => {
      const ctx = contextFor(dns);
      const domain = `agree${i}.example.com`;
      dns.set(domain, { TXT: [text] });
      const walk = await walkSpf(domain, parseSpfRecord(text), ctx.resolver);
      for (const range of ['192.0.2.0/24', '2001:db8::/48']) {
        const coverage = spfCoverage(walk.root, cidr(range));
        assert.deepEqual(coverage.undecided, []);
        // Every address of the range gets exactly one result.
        assert.deepEqual(show(merge(coverage.pieces.map((p) => p.block))), [formatCidr(cidr(range), true)]);
        for (const piece of coverage.pieces) {
          for (const address of new Set([firstAddress(piece.block), middleAddress(piece.block), lastAddress(piece.block)].map((a) => formatCidr({ network: a, bits: a.kind() === 'ipv4' ? 32 : 128 })))) {
            const result = await spf({ sender: `postmaster@${domain}`, ip: address, helo: domain, mta: 'test', resolver: ctx.resolver as never });
            assert.equal(result.status.result, piece.outcome, `${address} in ${formatCidr(piece.block)} (${piece.by ?? 'no match'})`);
          }
        }
      }
    });
  }
});
