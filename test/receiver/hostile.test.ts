/**
 * Hostile input through the real verifier: random bytes and broken header fields always give an
 * evaluation with a decision (recorded), never an exception.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';
import { harness, type Harness } from './harness.js';

let dns: DnsServer;
let h: Harness;
before(async () => {
  dns = await startDnsServer({});
  h = harness(dns, { timeoutMs: 300 });
});
after(async () => {
  h.close();
  await dns.stop();
});

const DECISIONS = ['accept', 'quarantine', 'defer', 'reject'];

describe('hostile messages', () => {
  it('random bytes always get a decision', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 4000 }), async (bytes) => {
        const { evaluation } = await h.verify(Buffer.from(bytes));
        assert.ok(DECISIONS.includes(evaluation.verdict.decision));
      }),
      { numRuns: 60, seed: 20261130 },
    );
  });

  it('broken DKIM-Signature and From fields always get a decision', async () => {
    const field = fc.stringMatching(/^[ -~]{0,80}$/);
    await fc.assert(
      fc.asyncProperty(field, field, fc.boolean(), async (sig, from, twice) => {
        const text = `DKIM-Signature: ${sig}\r\nFrom: ${from}\r\n${twice ? `From: ${from}x\r\n` : ''}Subject: x\r\n\r\nbody\r\n`;
        const { evaluation, id } = await h.verify(text);
        assert.ok(DECISIONS.includes(evaluation.verdict.decision));
        assert.ok(id > 0);
      }),
      { numRuns: 60, seed: 20261130 },
    );
  });
});
