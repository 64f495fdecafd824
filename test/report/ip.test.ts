/**
 * Source IPs (src/report/aggregate/ip.ts): canonical text, the 16-byte value with IPv4 mapped into
 * ::ffff:0:0/96, and RFC 7489's eight-group form. Since the module uses ipaddr.js (issue 12 #22),
 * its outputs are checked against the hand-written parser it replaced (ip-before-ipaddr.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalIp, fullIpv6, ipToBytes } from '../../src/report/aggregate/ip.js';
import * as before from './ip-before-ipaddr.js';

/** What a reporter may write: canonical and odd forms of both families, and junk. */
const written = fc.oneof(
  fc.ipV4(),
  fc.ipV4Extended(),
  fc.ipV6(),
  fc.ipV6().map((ip) => ip.toUpperCase()),
  fc.ipV6().map((ip) => `[${ip}]`),
  fc.ipV6().map((ip) => ` ${ip}\t`),
  fc.tuple(fc.ipV4(), fc.constantFrom('::ffff:', '::', '64:ff9b::', '2001:db8::')).map(([v4, prefix]) => prefix + v4),
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.[]% x'.split('')), maxLength: 45 }),
);

function oldCanonical(raw: string): ReturnType<typeof canonicalIp> | 'throws' {
  try {
    return before.canonicalIp(raw);
  } catch {
    return 'throws';
  }
}

describe('source IPs', () => {
  it('give the same canonical text, version, 16 bytes and eight-group form as before ipaddr.js', () => {
    fc.assert(
      fc.property(written, (raw) => {
        const old = oldCanonical(raw);
        fc.pre(old !== 'throws'); // zone ids made the old code throw: see the next test
        const now = canonicalIp(raw);
        assert.deepEqual(now, old);
        assert.deepEqual(ipToBytes(now.text, now.version), before.ipToBytes(old.text, old.version));
        assert.equal(fullIpv6(now.text), before.fullIpv6(old.text));
        // ipToBytes is also handed addresses as written rather than canonical (`::ffff:192.0.2.1`).
        const unbracketed = raw.trim().replace(/^\[(.*)\]$/, '$1');
        if (now.version !== null) assert.deepEqual(ipToBytes(unbracketed, now.version), before.ipToBytes(unbracketed, now.version), unbracketed);
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps an IPv6 address with a zone id as written instead of throwing', () => {
    for (const raw of ['fe80::1%eth0', '[fe80::1%25eth0]', '::ffff:1.2.3.4%x']) {
      assert.deepEqual(canonicalIp(raw), { text: raw, version: null });
    }
  });

  it('maps IPv4 into ::ffff:0:0/96 and writes IPv6 compressed (RFC 5952 §4)', () => {
    assert.deepEqual(canonicalIp('2001:DB8:0:0:0:0:2:1'), { text: '2001:db8::2:1', version: 6 });
    assert.deepEqual(canonicalIp('::ffff:192.0.2.1'), { text: '::ffff:c000:201', version: 6 });
    assert.deepEqual(canonicalIp('01.2.3.4'), { text: '01.2.3.4', version: null });
    assert.equal(ipToBytes('192.0.2.1', 4)?.toString('hex'), '00000000000000000000ffffc0000201');
    assert.equal(fullIpv6('2001:db8::25'), '2001:db8:0:0:0:0:0:25');
  });
});
