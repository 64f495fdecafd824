/** The record texts we tell people to publish (pure): 255-octet strings, zone-file form. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseZoneTxt, splitTxtValue, suggestedSpf, zoneTxt } from '../../../src/analyze/check/records.js';
import { keygenRecords, renderDnsFile } from '../../../src/deliver/keygen-text.js';

describe('TXT records', () => {
  it('splits long values into character-strings of at most 255 octets and reads them back', () => {
    const value = `v=DKIM1; k=rsa; p=${'A'.repeat(600)}`;
    const parts = splitTxtValue(value);
    assert.deepEqual(parts.map((p) => p.length), [255, 255, value.length - 510]);
    assert.equal(parts.join(''), value);
    const line = zoneTxt({ name: 's1._domainkey.example.com', value });
    assert.match(line, /^s1\._domainkey\.example\.com\. IN TXT \( "[^"]{255}" "[^"]{255}" "[^"]+" \)$/);
    assert.deepEqual(parseZoneTxt(line), { name: 's1._domainkey.example.com', value });
  });

  it('writes a short value as one quoted string, escaping quotes', () => {
    assert.equal(zoneTxt({ name: 'example.com', value: 'say "hi"' }), 'example.com. IN TXT "say \\"hi\\""');
    assert.deepEqual(parseZoneTxt('example.com. IN TXT "say \\"hi\\""'), { name: 'example.com', value: 'say "hi"' });
  });

  it('suggests SPF from relays and service ranges, or mx with a note', () => {
    assert.equal(suggestedSpf('example.com', { relays: ['192.0.2.10', '2001:db8::/48'], services: [{ ips: ['198.51.100.0/24', '192.0.2.10'] }] }).record.value, 'v=spf1 ip4:192.0.2.10 ip6:2001:db8::/48 ip4:198.51.100.0/24 -all');
    const bare = suggestedSpf('example.com', { relays: [], services: [] });
    assert.equal(bare.record.value, 'v=spf1 mx -all');
    assert.ok(bare.note !== null);
  });

  it('keygen records: DKIM, SPF, DMARC, and the rua authorisation for an outside rua', () => {
    const records = keygenRecords({ domain: 'example.com', selector: 's1', algorithm: 'ed25519', publicKeyDns: 'KEY', spf: { relays: ['192.0.2.10'], services: [] }, rua: 'reports@dmarc.example.net' });
    assert.deepEqual(
      records.map((r) => [r.kind, r.name, r.value]),
      [
        ['dkim', 's1._domainkey.example.com', 'v=DKIM1; k=ed25519; p=KEY'],
        ['spf', 'example.com', 'v=spf1 ip4:192.0.2.10 -all'],
        ['dmarc', '_dmarc.example.com', 'v=DMARC1; p=none; rua=mailto:reports@dmarc.example.net'],
        ['rua_authorization', 'example.com._report._dmarc.dmarc.example.net', 'v=DMARC1'],
      ],
    );
    const file = renderDnsFile(records);
    assert.equal(file.split('\n').filter((l) => l.startsWith(';')).length, 4);
    assert.deepEqual(file.split('\n').filter((l) => !l.startsWith(';') && l !== '').map(parseZoneTxt), records.map((r) => ({ name: r.name, value: r.value })));
  });
});
