/**
 * Property tests (STYLE.md 14): random bytes, and random mutations of real samples, through
 * sniff + extractMessage + openPayload (read to the end) raise nothing but our InputErrors.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InputError, LimitExceededError, MalformedInputError } from '../../src/errors.js';
import { extractMessage } from '../../src/extract/message.js';
import { describeBytes, sniff } from '../../src/extract/sniff.js';
import { drain, gzip, limits, makeZip, payload, sampleFiles, text, xmlReport } from './support.js';

/** Small caps, so random data that happens to inflate well stays quick. */
const LIMITS = limits({ maxDecompressedBytes: 4 * 1024 * 1024, maxMessageBytes: 1024 * 1024 });

function expectInputError(error: unknown): void {
  if (error instanceof LimitExceededError || error instanceof MalformedInputError) return;
  assert.fail(`unexpected ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}`);
}

/** Everything extract does with one input, each step's failure checked. */
async function throughExtract(bytes: Uint8Array): Promise<void> {
  sniff(bytes);
  describeBytes(bytes);
  try {
    drain(payload('input', bytes), LIMITS);
  } catch (error) {
    expectInputError(error);
  }
  try {
    const content = await extractMessage(bytes, LIMITS);
    if (content.kind === 'aggregate') {
      const budget = { used: 0 };
      for (const p of content.payloads) {
        try {
          drain(p, LIMITS, budget);
        } catch (error) {
          expectInputError(error);
        }
      }
    } else {
      assert.ok(['failure-report', 'tls-report', 'no-report'].includes(content.reason));
    }
  } catch (error) {
    expectInputError(error);
  }
}

const samples = sampleFiles().map((path) => new Uint8Array(readFileSync(path)));
const seeds = [
  ...samples,
  gzip(gzip(xmlReport())),
  makeZip([{ name: 'a.xml.gz', data: gzip(xmlReport('a')) }, { name: 'b.xml', data: text(xmlReport('b')) }]),
];

type Mutation = { kind: 'flip'; at: number; value: number } | { kind: 'cut'; at: number } | { kind: 'insert'; at: number; bytes: Uint8Array } | { kind: 'delete'; at: number; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
);

function mutate(seed: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes = seed;
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % bytes.length;
    switch (m.kind) {
      case 'flip': {
        const copy = new Uint8Array(bytes);
        if (copy.length > 0) copy[at] = m.value;
        bytes = copy;
        break;
      }
      case 'cut':
        bytes = bytes.subarray(0, at);
        break;
      case 'insert':
        bytes = new Uint8Array([...bytes.subarray(0, at), ...m.bytes, ...bytes.subarray(at)]);
        break;
      case 'delete':
        bytes = new Uint8Array([...bytes.subarray(0, at), ...bytes.subarray(at + m.length)]);
        break;
    }
  }
  return bytes;
}

/** Prefixes that get random bytes past the first checks of each path. */
const PREFIXES = ['\u001f\u008b\u0008\u0000\u0000\u0000\u0000\u0000\u0000\u0003', 'PK\u0003\u0004', 'PK\u0005\u0006', '<feedback>', '\ufeff<', 'Received: x\r\n', 'From x\n'].map((p) =>
  new Uint8Array(Buffer.from(p, 'latin1')),
);

describe('extract never throws anything but InputErrors', () => {
  it('on random bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), throughExtract), { numRuns: 300 });
  });

  it('on random bytes behind each format’s magic number', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PREFIXES), fc.uint8Array({ maxLength: 2048 }), (prefix, rest) => throughExtract(new Uint8Array([...prefix, ...rest]))),
      { numRuns: 400 },
    );
  });

  it('on random mutations of the samples', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, mutations) => throughExtract(mutate(seed, mutations))),
      { numRuns: 600 },
    );
  });

  it('InputError is what the classes share', () => {
    assert.ok(new LimitExceededError('x', 1, 'y') instanceof InputError);
    assert.ok(new MalformedInputError('x') instanceof InputError);
  });
});
