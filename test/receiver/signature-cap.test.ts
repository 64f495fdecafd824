/** The DKIM signature cap (RFC 6376 §6.1) as a pure function: which fields it keeps, and that
 * everything else in the message is left byte for byte. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capDkimSignatures } from '../../src/receiver/signature-cap.js';

const sig = (d: string, nl: string) => `DKIM-Signature: v=1; a=rsa-sha256; d=${d}; s=k;${nl}\th=from; b=AAAA${nl}`;

describe('capDkimSignatures', () => {
  for (const nl of ['\r\n', '\n']) {
    it(`keeps signatures that can align with From first, then top-down; leaves the rest of the message alone (${JSON.stringify(nl)})`, () => {
      const head = ['a', 'b', 'c', 'mail.example.com', 'd'].map((d) => sig(`${d}.test`.replace('mail.example.com.test', 'mail.example.com'), nl)).join('');
      const text = `Received: from x${nl}${head}From: Alice${nl} <alice@example.com>${nl}Subject: hi${nl}${nl}DKIM-Signature: in the body${nl}`;
      const out = capDkimSignatures(Buffer.from(text), 2);
      assert.equal(out.unchecked, 3);
      const kept = out.message.toString();
      assert.deepEqual([...kept.matchAll(/d=([^;]+);/g)].map((m) => m[1]), ['a.test', 'mail.example.com']);
      assert.equal(kept, text.replace(sig('b.test', nl), '').replace(sig('c.test', nl), '').replace(sig('d.test', nl), ''));
    });
  }

  it('returns the very same buffer when under the cap', () => {
    const message = Buffer.from(`${sig('a.test', '\r\n')}From: a@a.test\r\n\r\nbody\r\n`);
    const out = capDkimSignatures(message, 1);
    assert.equal(out.message, message);
    assert.equal(out.unchecked, 0);
  });
});
