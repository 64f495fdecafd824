/** Hostile input (STYLE.md 14): whatever the bytes, the parser ends with a report or one of our
 * typed errors, never anything else. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InputError } from '../../src/errors.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { parseAggregate } from '../../src/report/aggregate/parse.js';
import { chunked } from '../helpers/parse.js';

const dir = new URL('../fixtures/samples/aggregate/parsedmarc/', import.meta.url);
const xmlSamples = readdirSync(dir)
  .filter((n) => n.endsWith('.xml'))
  .map((n) => readFileSync(new URL(n, dir)))
  .filter((b) => b.length > 0 && b.length < 20_000);
const limits = { ...DEFAULT_LIMITS, maxSectionBytes: 64 * 1024 };

function parseAll(bytes: Uint8Array, chunkSize: number): void {
  try {
    const events = parseAggregate(chunked(bytes, chunkSize), limits);
    for (let step = events.next(); step.done !== true; step = events.next()) {
      /* drain */
    }
  } catch (error) {
    assert.ok(error instanceof InputError, `unexpected ${String(error)}`);
  }
}

describe('parseAggregate on hostile input', () => {
  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.integer({ min: 1, max: 300 }), (bytes, size) => parseAll(bytes, size)),
      { numRuns: 500 },
    );
  });

  it('real reports with bytes flipped, cut, or markup spliced in', () => {
    const splice = fc.constantFrom('<', '>', '</record>', '<record>', '<!--', ']]>', '&', '<!DOCTYPE x [<!ENTITY a "b">]>', '<__proto__>', '\u0000', '\uFFFF', '<a b="c">');
    fc.assert(
      fc.property(
        fc.constantFrom(...xmlSamples),
        fc.array(fc.tuple(fc.nat(), fc.oneof(fc.integer({ min: 0, max: 255 }).map((b) => String.fromCharCode(b)), splice)), { maxLength: 8 }),
        fc.option(fc.nat()),
        fc.integer({ min: 1, max: 500 }),
        (sample, edits, cut, size) => {
          let text = sample.toString('latin1');
          for (const [at, piece] of edits) {
            const i = at % (text.length + 1);
            text = text.slice(0, i) + piece + text.slice(i + 1);
          }
          if (cut !== null) text = text.slice(0, cut % (text.length + 1));
          parseAll(Buffer.from(text, 'latin1'), size);
        },
      ),
      { numRuns: 400 },
    );
  });
});
