/** Hostile record text: the record parsers return issues for anything, and never throw. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodePublishedKey, parseDkimKeyRecord } from '../../../src/analyze/check/dkim-record.js';
import { parseDmarcRecord } from '../../../src/dmarc/record.js';
import { parseSpfRecord } from '../../../src/analyze/check/spf-record.js';

/** Strings built from the characters records are made of, so the parsers get past their first test. */
const recordText = fc
  .array(fc.constantFrom('v=DMARC1', 'v=spf1', 'v=DKIM1', ';', ' ', '=', ':', '/', '%', '%zz', 'p=', 'rua=mailto:', '@', 'a', 'ip4:', 'ip6:', 'include:', 'k=', 'ed25519', 'MIIB', '!', ',', '\u00e9', '\0'), { maxLength: 40 })
  .map((parts) => parts.join(''));

describe('record parsers on hostile input', () => {
  it('never throw, whatever the text', () => {
    fc.assert(
      fc.property(fc.oneof(recordText, fc.string({ maxLength: 200 })), (text) => {
        const dmarc = parseDmarcRecord(text);
        assert.ok(Array.isArray(dmarc.errors) && Array.isArray(dmarc.issues));
        assert.ok(Array.isArray(parseSpfRecord(text).errors));
        decodePublishedKey(parseDkimKeyRecord(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('a broken percent escape in a rua address is an issue, not an exception', () => {
    const r = parseDmarcRecord('v=DMARC1; p=none; rua=mailto:a%zz@example.com');
    assert.deepEqual(r.rua.map((u) => u.address), ['a%zz@example.com']);
  });
});
