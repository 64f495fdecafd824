import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayIp, ipRanges, sameAddress, spfMechanism } from '../../../src/analyze/correlate/ip-ranges.js';

describe('ipRanges', () => {
  const ranges = ipRanges(['192.0.2.0/28', '2001:db8:25::/64', '198.51.100.7', '::ffff:203.0.113.0/120']);

  it('matches IPv4 CIDR ranges at their edges', () => {
    assert.equal(ranges.contains('192.0.2.0'), true);
    assert.equal(ranges.contains('192.0.2.15'), true);
    assert.equal(ranges.contains('192.0.2.16'), false);
    assert.equal(ranges.contains('192.0.1.255'), false);
  });

  it('matches IPv6 ranges in any spelling', () => {
    assert.equal(ranges.contains('2001:db8:25::1'), true);
    assert.equal(ranges.contains('2001:DB8:25:0:ffff:ffff:ffff:ffff'), true);
    assert.equal(ranges.contains('2001:db8:25:1::'), false);
  });

  it('treats IPv4-mapped IPv6 as the IPv4 address, on both sides', () => {
    assert.equal(ranges.contains('::ffff:192.0.2.3'), true);
    assert.equal(ranges.contains('::ffff:c000:203'), true);
    assert.equal(ranges.contains('203.0.113.200'), true, 'range written as ::ffff:203.0.113.0/120');
    assert.equal(ranges.contains('203.0.114.1'), false);
  });

  it('single addresses are /32 or /128; non-addresses match nothing', () => {
    assert.equal(ranges.contains('198.51.100.7'), true);
    assert.equal(ranges.contains('198.51.100.8'), false);
    assert.equal(ranges.contains('not-an-ip'), false);
    assert.equal(ipRanges([]).contains('192.0.2.1'), false);
  });

  it('spells addresses for people and for SPF', () => {
    assert.equal(displayIp('::ffff:c000:20a'), '::ffff:192.0.2.10');
    assert.equal(displayIp('2001:db8::1'), '2001:db8::1');
    assert.equal(spfMechanism('::ffff:c000:20a'), 'ip4:192.0.2.10');
    assert.equal(spfMechanism('2001:db8:0:0::25'), 'ip6:2001:db8::25');
    assert.equal(sameAddress('2001:DB8::1', '2001:db8:0::1'), true);
    assert.equal(sameAddress('192.0.2.1', '::ffff:192.0.2.1'), true);
    assert.equal(sameAddress('192.0.2.1', '192.0.2.2'), false);
  });
});
