/**
 * The mbox scanner on in-memory files: boundaries, CRLF, the `>From ` quoting, and — as a
 * property — that the messages found and their bytes do not depend on where chunks split.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isMboxStart, scanMbox, unquoteMboxrd, type MboxMessage, type PositionalReader } from '../../src/sources/mbox.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A PositionalReader over bytes in memory. */
function memoryFile(bytes: Uint8Array): PositionalReader {
  return {
    async read(buffer, offset, length, position) {
      const slice = bytes.subarray(position, Math.min(bytes.length, position + length));
      buffer.set(slice, offset);
      return { bytesRead: slice.length };
    },
  };
}

async function scan(text: string | Uint8Array, chunk?: number): Promise<MboxMessage[]> {
  const bytes = typeof text === 'string' ? enc.encode(text) : text;
  const out: MboxMessage[] = [];
  for await (const m of scanMbox(memoryFile(bytes), chunk)) out.push(m);
  return out;
}

async function bodies(text: string, chunk?: number): Promise<string[]> {
  const bytes = enc.encode(text);
  return (await scan(bytes, chunk)).map((m) => dec.decode(unquoteMboxrd(bytes.subarray(m.start, m.end))));
}

/** mboxrd writer: envelope line, body with `>*From ` lines quoted once more, blank line. */
function writeMboxrd(messages: readonly string[], eol = '\n'): string {
  return messages
    .map((body, i) => {
      const quoted = body.replace(/^(>*From )/gm, '>$1');
      return `From sender${i}@example.com Mon Jan  1 00:00:00 2024${eol}${quoted}${eol}`;
    })
    .join('');
}

describe('isMboxStart', () => {
  it('wants "From " at byte 0', () => {
    assert.equal(isMboxStart(enc.encode('From x')), true);
    assert.equal(isMboxStart(enc.encode('From:')), false);
    assert.equal(isMboxStart(enc.encode(' From ')), false);
    assert.equal(isMboxStart(enc.encode('From')), false);
    assert.equal(isMboxStart(new Uint8Array()), false);
  });
});

describe('scanMbox', () => {
  const three = writeMboxrd(['Subject: one\n\nbody 1\n', 'Subject: two\n\n>From here\nFrom there\n', 'Subject: three\n\nlast\n']);

  it('finds each message with its envelope offset, without envelope or separator', async () => {
    const ms = await scan(three);
    assert.deepEqual(
      ms.map((m) => m.index),
      [1, 2, 3],
    );
    assert.equal(ms[0]?.fromOffset, 0);
    for (const m of ms) assert.ok(three.startsWith('From sender', m.fromOffset));
    assert.deepEqual(await bodies(three), ['Subject: one\n\nbody 1\n', 'Subject: two\n\n>From here\nFrom there\n', 'Subject: three\n\nlast\n']);
  });

  it('does not split at "From " that follows a non-blank line', async () => {
    const text = 'From a\nSubject: x\nFrom not a boundary\n\nFrom b\nbody\n';
    assert.deepEqual(await bodies(text), ['Subject: x\nFrom not a boundary\n', 'body\n']);
  });

  it('handles CRLF files', async () => {
    const text = writeMboxrd(['Subject: a\r\n\r\nx\r\n', 'Subject: b\r\n\r\ny\r\n'], '\r\n');
    assert.deepEqual(await bodies(text), ['Subject: a\r\n\r\nx\r\n', 'Subject: b\r\n\r\ny\r\n']);
  });

  it('copes with empty messages, a missing final newline and an envelope line at EOF', async () => {
    assert.deepEqual(await bodies('From a\n\nFrom b\n\n'), ['', '']);
    assert.deepEqual(await bodies('From a\nbody'), ['body']);
    assert.deepEqual(await bodies('From a'), ['']);
    assert.deepEqual(await bodies('From a\nx\n\nFrom b'), ['x\n', '']);
  });

  it('gives the same messages whatever the chunk size (including 1 byte)', async () => {
    const expected = await scan(three);
    for (const chunk of [1, 2, 3, 5, 6, 7, 8, 13, 64]) assert.deepEqual(await scan(three, chunk), expected, `chunk ${chunk}`);
  });

  it('round-trips any mboxrd file, for any chunk size (property)', async () => {
    const line = fc.oneof(
      fc.constantFrom('', 'From x', '>From y', '>>From z', 'From', 'Subject: s', '\r', 'From  '),
      fc.string({ maxLength: 12 }).filter((s) => !s.includes('\n')),
    );
    const body = fc.array(line, { maxLength: 8 }).map((lines) => lines.map((l) => `${l}\n`).join(''));
    await fc.assert(
      fc.asyncProperty(fc.array(body, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 40 }), async (messages, chunk) => {
        const text = writeMboxrd(messages);
        assert.deepEqual(await bodies(text, chunk), messages);
        assert.deepEqual(await scan(text, chunk), await scan(text));
      }),
      { numRuns: 300 },
    );
  });
});

describe('unquoteMboxrd', () => {
  it('removes one ">" from ">*From " lines only', () => {
    const text = '>From a\nx >From b\n>>From c\n>Fromage\n> From d\n';
    assert.equal(dec.decode(unquoteMboxrd(enc.encode(text))), 'From a\nx >From b\n>From c\n>Fromage\n> From d\n');
  });

  it('returns the same bytes when nothing is quoted', () => {
    const bytes = enc.encode('no quoting here\n');
    assert.equal(unquoteMboxrd(bytes), bytes);
  });
});
