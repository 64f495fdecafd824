import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32, deflateRawSync } from 'node:zlib';
import { LimitExceededError, MalformedInputError } from '../../src/errors.js';
import { createRawInflater, InflateError, OUTPUT_PIECE } from '../../src/extract/inflate.js';
import { openPayload } from '../../src/extract/payload.js';
import { drain, gzip, gzipMember, limits, makeZip, payload, sample, text, xmlReport } from './support.js';

const xml = xmlReport();
const xmlBytes = text(xml);
const deflated = new Uint8Array(deflateRawSync(xmlBytes));

function member(header: Parameters<typeof gzipMember>[3] = {}): Uint8Array {
  return gzipMember(deflated, xmlBytes.length, crc32(xmlBytes), header);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

describe('gzip payloads', () => {
  it('gunzips to one document named without .gz', () => {
    const docs = drain(payload('r.xml.gz', gzip(xml)));
    assert.deepEqual(
      docs.map((d) => [d.name, d.size]),
      [['r.xml', xmlBytes.length]],
    );
    assert.match(docs[0]?.head ?? '', /^<\?xml/);
  });

  it('reads the optional header fields (FEXTRA, FNAME, FCOMMENT, FHCRC; RFC 1952 §2.3.1)', () => {
    const odd = member({ extra: new Uint8Array([1, 2, 3, 4]), name: 'report.xml', comment: 'made by hand', headerCrc: true });
    assert.equal(drain(payload('odd.gz', odd))[0]?.size, xmlBytes.length);
  });

  it('ignores bytes after the first member (Mimecast CRLF, NOTES.md §8.5), even many', () => {
    for (const junk of ['\r\n', 'x', 'garbage after the member '.repeat(5000)]) {
      assert.equal(drain(payload('junk.gz', concat(gzip(xml), text(junk))))[0]?.size, xmlBytes.length, JSON.stringify(junk.slice(0, 10)));
    }
  });

  it('reads every member of a concatenated gzip file, as gunzip -c does (RFC 1952 §2.2), whole or streamed', () => {
    const halves = [xml.slice(0, 300), xml.slice(300)];
    const members = concat(...halves.map((h) => gzip(h)), gzip(''), text('\r\n'));
    const once = drain(payload('two.gz', members));
    assert.deepEqual([once.length, once[0]?.size], [1, xmlBytes.length]);
    // Inside another gzip layer the members arrive as a stream of pieces, split anywhere.
    const twice = drain(payload('two.gz.gz', gzip(members)));
    assert.deepEqual([twice.length, twice[0]?.size], [1, xmlBytes.length]);
    // A member whose header is cut at the very end is a truncated file, not junk.
    assert.throws(() => drain(payload('cut.gz', concat(gzip(halves[0]!), new Uint8Array([0x1f, 0x8b, 8])))), /truncated inside its gzip header/);
  });

  it('checks the trailer of every member, not only the first', () => {
    const second = text(' and more');
    const bad = gzipMember(new Uint8Array(deflateRawSync(second)), second.length, crc32(second) ^ 1);
    assert.throws(() => drain(payload('r.xml.gz', concat(gzip(xml), bad))), /CRC-32 mismatch/);
  });

  it('accepts a complete deflate stream whose trailer is cut off', () => {
    const whole = gzip(xml);
    assert.equal(drain(payload('cut.gz', whole.subarray(0, whole.length - 3)))[0]?.size, xmlBytes.length);
  });

  it('rejects a wrong CRC-32 or length in the trailer', () => {
    const badCrc = gzipMember(deflated, xmlBytes.length, crc32(xmlBytes) ^ 1);
    assert.throws(() => drain(payload('r.xml.gz', badCrc, 'attachment')), {
      name: 'MalformedInputError',
      message: 'attachment r.xml.gz is corrupt gzip data (CRC-32 mismatch)',
    });
    const badSize = gzipMember(deflated, xmlBytes.length + 1, crc32(xmlBytes));
    assert.throws(() => drain(payload('r.xml.gz', badSize)), /length mismatch/);
  });

  it('rejects truncated and corrupt deflate data with the payload name', () => {
    const whole = gzip(xmlReport('t', 50));
    assert.throws(() => drain(payload('t.xml.gz', whole.subarray(0, whole.length / 2))), (e: unknown) => {
      assert.ok(e instanceof MalformedInputError);
      assert.match(e.message, /^t\.xml\.gz is corrupt gzip data \(unexpected end of file\)$/);
      return true;
    });
    assert.throws(() => drain(payload('h.gz', whole.subarray(0, 6))), /h\.gz is truncated inside its gzip header/);
    const flipped = new Uint8Array(whole);
    flipped[12] = 0xff;
    flipped[13] = 0xff;
    assert.throws(() => drain(payload('f.gz', flipped)), MalformedInputError);
  });

  it('rejects reserved flag bits and unknown compression methods (§2.3.1.2)', () => {
    assert.throws(() => drain(payload('r.gz', member({ flags: 0x20 }))), /reserved gzip header flags/);
    const method = member();
    method[2] = 9;
    assert.throws(() => drain(payload('m.gz', method)), /compression method 9/);
  });

  it('gunzips again when the output is gzip (double gzip, NOTES.md §8.6), and a gzip holding a zip', () => {
    const docs = drain(payload('r.xml.gz.gz', gzip(gzip(xml))));
    assert.deepEqual(
      docs.map((d) => [d.name, d.size]),
      [['r.xml', xmlBytes.length]],
    );
    const zipInGzip = gzip(makeZip([{ name: 'a.xml', data: xmlBytes }, { name: 'b.xml', data: text(xmlReport('b')) }]));
    assert.deepEqual(
      drain(payload('reports.zip.gz', zipInGzip)).map((d) => d.name),
      ['a.xml', 'b.xml'],
    );
  });

  it('counts gzip layers against max_nesting_depth', () => {
    let layered: Uint8Array = xmlBytes;
    for (let i = 0; i < 4; i++) layered = gzip(layered);
    assert.equal(drain(payload('4.gz', layered))[0]?.size, xmlBytes.length);
    assert.throws(() => drain(payload('4.gz', layered), limits({ maxNestingDepth: 3 })), (e: unknown) => {
      assert.ok(e instanceof LimitExceededError);
      assert.equal(e.setting, 'max_nesting_depth');
      return true;
    });
  });

  it('says what a gunzipped non-report is', () => {
    assert.throws(() => drain(payload('x.xml.gz', gzip(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'attachment')), {
      message: 'attachment x.xml.gz (after gunzip) is a PNG image, not gzip, zip or XML',
    });
    assert.throws(() => drain(payload('unused.gz', gzip('unused'))), { message: 'unused.gz (after gunzip) is text "unused", not gzip, zip or XML' });
    assert.throws(() => drain(payload('e.gz', gzip(''))), { message: 'e.gz (after gunzip) is empty (0 bytes)' });
  });

  it('yields pieces of at most 64 KiB, lazily', () => {
    const big = text(xmlReport('big', 3000)); // ~1 MB
    const docs = drain(payload('big.xml.gz', gzip(big)));
    assert.equal(docs[0]?.size, big.length);
    assert.ok((docs[0]?.largestChunk ?? 0) <= OUTPUT_PIECE);
    // Nothing is decompressed before the documents are read.
    const budget = { used: 0 };
    const documents = openPayload(payload('big.xml.gz', gzip(big)), limits(), budget);
    assert.equal(budget.used, 0);
    const first = documents[Symbol.iterator]().next();
    assert.equal(first.done, false);
    assert.ok(budget.used > 0 && budget.used <= 2 * OUTPUT_PIECE, `peeking used ${budget.used}`);
  });

  it('decompresses again when a document is read twice', () => {
    const [doc] = [...openPayload(payload('r.xml.gz', gzip(xml)), limits())];
    assert.ok(doc !== undefined);
    const read = () => Buffer.concat([...doc.chunks]).toString();
    assert.equal(read(), xml);
    assert.equal(read(), xml);
  });

  it('sample gzip with trailing bytes decodes like a clean one', () => {
    const clean = drain(payload('nice-input.xml.gz', sample('parsedmarc/nice-input.xml.gz')));
    assert.equal(clean[0]?.size, sample('parsedmarc/nice-input.xml').length);
  });
});

describe('raw inflaters', () => {
  const input = text(xmlReport('engines', 2000));
  const raw = new Uint8Array(deflateRawSync(input));

  for (const engine of ['native', 'fflate'] as const) {
    it(`${engine}: decodes whole or in small writes to the same bytes`, () => {
      for (const slice of [raw.length, 1000, 7]) {
        const inflater = createRawInflater(engine);
        const out: Uint8Array[] = [];
        for (let at = 0; at < raw.length; at += slice) out.push(...inflater.write(raw.subarray(at, at + slice), false));
        out.push(...inflater.write(new Uint8Array(0), true));
        inflater.close();
        assert.ok(Buffer.concat(out).equals(Buffer.from(input)), `slice ${slice}`);
        assert.ok(out.every((piece) => piece.length <= OUTPUT_PIECE));
      }
    });

    it(`${engine}: reports truncation at the final write`, () => {
      const inflater = createRawInflater(engine);
      assert.throws(() => [...inflater.write(raw.subarray(0, raw.length - 10), true)], InflateError);
      inflater.close();
    });
  }

  it('native: knows where the stream ended (what the gzip trailer check relies on)', () => {
    const inflater = createRawInflater('native');
    const trailing = text('TRAILER!');
    const out = [...inflater.write(new Uint8Array(Buffer.concat([raw, trailing])), false)];
    assert.equal(Buffer.concat(out).length, input.length);
    assert.equal(inflater.ended, true);
    assert.deepEqual(inflater.remainder, trailing);
    inflater.close();
  });

  it('native: reuses engines after a clean end and still decodes correctly', () => {
    for (let i = 0; i < 10; i++) {
      const inflater = createRawInflater('native', input.length);
      const out = [...inflater.write(raw, true)];
      inflater.close();
      assert.equal(Buffer.concat(out).length, input.length);
    }
    const broken = createRawInflater('native');
    assert.throws(() => [...broken.write(new Uint8Array([0xff, 0xff, 0xff]), true)], InflateError);
    broken.close();
    const after = createRawInflater('native');
    assert.equal(Buffer.concat([...after.write(raw, true)]).length, input.length);
    after.close();
  });
});

describe('decompression budget', () => {
  it('counts each produced byte once, peeks included', () => {
    const inner = gzip(xml);
    const budget = { used: 0 };
    drain(payload('r.xml.gz.gz', gzip(inner)), limits(), budget);
    assert.equal(budget.used, inner.length + xmlBytes.length);
    const zipBudget = { used: 0 };
    drain(payload('r.zip', makeZip([{ name: 'r.xml.gz', data: inner }])), limits(), zipBudget);
    assert.equal(zipBudget.used, inner.length + xmlBytes.length);
  });
});
