/**
 * Hostile input (STYLE.md 14): bombs stop at the cap while memory stays flat, nesting and
 * member counts stop at theirs, and every failure is one of our InputErrors naming the setting.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { LimitExceededError } from '../../src/errors.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { extractMessage } from '../../src/extract/message.js';
import { openPayload } from '../../src/extract/payload.js';
import { base64Lines, gzip, gzipMember, limits, makeZip, message, payload, text, xmlReport, zeroBombDeflate } from './support.js';

const MiB = 1024 * 1024;

/** Read every document to the end; report bytes read and the largest growth of native memory. */
function consume(bytes: Uint8Array, lim = DEFAULT_LIMITS): { read: number; peakGrowth: number; error: unknown } {
  const base = process.memoryUsage().arrayBuffers;
  let peakGrowth = 0;
  let read = 0;
  let pieces = 0;
  try {
    for (const doc of openPayload(payload('bomb', bytes), lim)) {
      for (const chunk of doc.chunks) {
        read += chunk.length;
        if (++pieces % 256 === 0) peakGrowth = Math.max(peakGrowth, process.memoryUsage().arrayBuffers - base);
      }
    }
    return { read, peakGrowth, error: null };
  } catch (error) {
    return { read, peakGrowth, error };
  }
}

function isLimit(error: unknown, setting: string): boolean {
  return error instanceof LimitExceededError && error.setting === setting;
}

describe('hostile input', () => {
  it('stops a 1.5 GB gzip bomb (a few MB) at max_decompressed_bytes with flat memory', () => {
    const bomb = zeroBombDeflate(1536, false); // 1.5 GiB of zeros
    assert.ok(bomb.deflated.length < 4 * MiB, `bomb is ${bomb.deflated.length} bytes`);
    const gz = gzipMember(bomb.deflated, bomb.size, 0);
    // The bomb's output starts with zeros: that is not a report, and nothing big is read to see it.
    const sniffed = consume(gz);
    assert.match(String(sniffed.error), /is binary data, not gzip, zip or XML/);
    // An XML document followed by the bomb in the same member: read until the cap.
    const xml = text('<?xml version="1.0"?><feedback>');
    const head = new Uint8Array(deflateHead(xml));
    const payloadBytes = gzipMember(new Uint8Array([...head, ...bomb.deflated]), xml.length + bomb.size, 0);
    const result = consume(payloadBytes);
    assert.ok(isLimit(result.error, 'max_decompressed_bytes'), String(result.error));
    assert.ok(result.read <= DEFAULT_LIMITS.maxDecompressedBytes, `read ${result.read}`);
    assert.ok(result.read > DEFAULT_LIMITS.maxDecompressedBytes - MiB, `read ${result.read}`);
    assert.ok(result.peakGrowth < 256 * MiB, `native memory grew by ${(result.peakGrowth / MiB).toFixed(1)} MiB`);
  });

  it('stops a zip member that declares a small size but inflates large', () => {
    const bomb = zeroBombDeflate(64);
    const xml = text('<?xml version="1.0"?><feedback>');
    const raw = new Uint8Array([...deflateHead(xml), ...bomb.deflated]);
    const zip = makeZip([{ name: 'r.xml', raw, size: 1000, crc: 0 }]);
    const result = consume(zip, limits({ maxDecompressedBytes: 16 * MiB }));
    assert.ok(isLimit(result.error, 'max_decompressed_bytes'), String(result.error));
    assert.ok(result.read <= 16 * MiB);
    // Under a cap it does not reach, the lie is still caught at the end.
    const lied = consume(zip);
    assert.match(String(lied.error), /r\.xml in bomb is corrupt/);
  });

  it('counts every member of an archive against one budget', () => {
    const member = zeroBombDeflate(4);
    const xml = text('<feedback>');
    const raw = new Uint8Array([...deflateHead(xml), ...member.deflated]);
    const crc = crc32(new Uint8Array(member.size), crc32(xml));
    const entries = Array.from({ length: 16 }, (_, i) => ({ name: `${i}.xml`, raw, size: xml.length + member.size, crc }));
    assert.equal(consume(makeZip(entries.slice(0, 2)), limits({ maxDecompressedBytes: 40 * MiB })).error, null);
    const result = consume(makeZip(entries), limits({ maxDecompressedBytes: 40 * MiB }));
    assert.ok(isLimit(result.error, 'max_decompressed_bytes'), String(result.error));
  });

  it('refuses more zip members than max_zip_members before decompressing any', () => {
    const entries = Array.from({ length: 1000 }, (_, i) => ({ name: `${i}.xml`, data: text(xmlReport(String(i))) }));
    const budget = { used: 0 };
    assert.throws(() => [...openPayload(payload('many.zip', makeZip(entries)), DEFAULT_LIMITS, budget)], (e: unknown) => isLimit(e, 'max_zip_members'));
    assert.equal(budget.used, 0);
  });

  it('refuses containers nested deeper than max_nesting_depth', () => {
    let nested: Uint8Array = text(xmlReport());
    for (let i = 0; i < 3; i++) nested = makeZip([{ name: `layer${i}.zip`, data: gzip(nested) }]);
    const result = consume(nested, limits({ maxNestingDepth: 5 }));
    assert.ok(isLimit(result.error, 'max_nesting_depth'), String(result.error));
    assert.equal(consume(nested, limits({ maxNestingDepth: 6 })).error, null);
  });

  it('refuses a zip inside a compressed layer that is bigger than a message may be', () => {
    const inner = makeZip([{ name: 'r.xml', data: new Uint8Array(3 * MiB).fill(0x20), method: 0 }]);
    const result = consume(gzip(inner), limits({ maxMessageBytes: MiB }));
    assert.ok(isLimit(result.error, 'max_message_bytes'), String(result.error));
  });

  it('refuses a message over max_message_bytes and forwarded messages nested too deep', async () => {
    await assert.rejects(extractMessage(new Uint8Array(65 * MiB), DEFAULT_LIMITS), (e: unknown) => isLimit(e, 'max_message_bytes'));
    let raw = message({ From: 'a@example.com', 'Content-Type': 'application/gzip', 'Content-Transfer-Encoding': 'base64' }, base64Lines(gzip(xmlReport())));
    for (let i = 0; i < 40; i++) raw = message({ From: 'a@example.com', 'Content-Type': 'message/rfc822' }, Buffer.from(raw).toString('latin1'));
    await assert.rejects(extractMessage(raw, DEFAULT_LIMITS), (e: unknown) => isLimit(e, 'max_nesting_depth'));
  });
});

/** A non-final stored block holding `bytes` (RFC 1951 §3.2.4), so it can be followed by more blocks. */
function deflateHead(bytes: Uint8Array): number[] {
  const n = bytes.length;
  return [0x00, n & 0xff, n >>> 8, ~n & 0xff, (~n >>> 8) & 0xff, ...bytes];
}
