/** extract's entry point: each kind of input → what extractInput says it is. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError, LimitExceededError, MalformedInputError } from '../../src/errors.js';
import { extractInput, extractInputSource, type ExtractedInput, type FoundDocument } from '../../src/extract/input.js';
import { streamSource } from '../../src/extract/source.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { base64Lines, gzip, latin1, limits, makeZip, message, sample, text, xmlReport } from './support.js';

/** Each found item as `name: first bytes` (a document) or `name ! reason` (an unreadable payload). */
function found(result: ExtractedInput): string[] {
  assert.equal(result.kind, 'aggregate');
  if (result.kind !== 'aggregate') return [];
  return [...result.documents].map((item: FoundDocument) => {
    if (item.kind === 'unreadable') return `${item.payload} ! ${item.error.message}`;
    const bytes = [...item.document.chunks];
    return `${item.document.name}: ${latin1(bytes[0] ?? new Uint8Array(0)).slice(0, 9)}`;
  });
}

const withAttachment = (name: string, type: string, bytes: Uint8Array, subject = 'Report domain: example.com Submitter: r.example') =>
  message(
    { From: 'r@r.example', Subject: subject, 'Message-ID': '<m1@r.example>', 'MIME-Version': '1.0', 'Content-Type': 'multipart/mixed; boundary="b"' },
    `--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\nContent-Type: ${type}; name="${name}"\r\nContent-Disposition: attachment; filename="${name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(bytes)}\r\n--b--\r\n`,
  );

describe('extractInput', () => {
  it('a report file (XML, gzip, zip) is an aggregate input named after the last path segment', async () => {
    assert.deepEqual(found(await extractInput(text(xmlReport()), 'in/box/r.xml', DEFAULT_LIMITS)), ['r.xml: <?xml ver']);
    assert.deepEqual(found(await extractInput(gzip(xmlReport()), 'in\\r.xml.gz', DEFAULT_LIMITS)), ['r.xml: <?xml ver']);
    const zip = makeZip([{ name: 'a.xml', data: text(xmlReport('a')) }, { name: 'b.xml', data: text(xmlReport('b')) }]);
    const result = await extractInput(zip, 'r.zip', DEFAULT_LIMITS);
    assert.equal(result.kind === 'aggregate' ? result.meta : 'not aggregate', null);
    assert.deepEqual(found(result), ['a.xml: <?xml ver', 'b.xml: <?xml ver']);
  });

  it('a mail message with a report attached is aggregate, with its headers', async () => {
    const result = await extractInput(withAttachment('r.xml.gz', 'application/gzip', gzip(xmlReport())), 'INBOX uid 7', DEFAULT_LIMITS);
    assert.equal(result.kind, 'aggregate');
    if (result.kind !== 'aggregate') return;
    assert.deepEqual([result.meta?.messageId, result.meta?.from], ['m1@r.example', 'r@r.example']);
    assert.deepEqual(found(result), ['r.xml: <?xml ver']);
  });

  it('a payload that cannot be opened is named, and the others are still found', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    const bytes = message(
      { From: 'r@r.example', Subject: 'Report domain: example.com', 'MIME-Version': '1.0', 'Content-Type': 'multipart/mixed; boundary="b"' },
      [
        `--b\r\nContent-Type: application/gzip\r\nContent-Disposition: attachment; filename="bad.xml.gz"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(gzip(png))}\r\n`,
        `--b\r\nContent-Type: application/gzip\r\nContent-Disposition: attachment; filename="good.xml.gz"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(gzip(xmlReport()))}\r\n--b--\r\n`,
      ].join(''),
    );
    assert.deepEqual(found(await extractInput(bytes, 'm.eml', DEFAULT_LIMITS)), [
      'bad.xml.gz ! attachment bad.xml.gz (after gunzip) is a PNG image, not gzip, zip or XML',
      'good.xml: <?xml ver',
    ]);
  });

  it('binary junk is an aggregate input whose one payload cannot be opened; an empty file too', async () => {
    const junk = await extractInput(new Uint8Array([0x00, 0x01, 0x02, 0xff]), 'dir/x.xml.gz', DEFAULT_LIMITS);
    assert.deepEqual(found(junk), ['x.xml.gz ! x.xml.gz is binary data, not gzip, zip or XML']);
    assert.deepEqual(found(await extractInput(new Uint8Array(0), 'empty.xml', DEFAULT_LIMITS)), ['empty.xml ! empty.xml is empty (0 bytes)']);
  });

  it('failure reports, TLS reports and other mail are not aggregate reports, each with its kind and reason', async () => {
    const cases = [
      ['not-aggregate/dmarc_ruf_report_linkedin.eml', 'failure-report', /^not an aggregate report \(failure-report\): failure report in Abuse Reporting Format/],
      ['not-aggregate/google.com_smtp_tls_report.eml', 'tls-report', /^not an aggregate report \(tls-report\): SMTP TLS report \(RFC 8460\)$/],
    ] as const;
    for (const [file, what, reason] of cases) {
      const result = await extractInput(sample(file), file, DEFAULT_LIMITS);
      assert.equal(result.kind, 'not-aggregate', file);
      if (result.kind !== 'not-aggregate') continue;
      assert.equal(result.what, what);
      assert.match(result.reason, reason);
      assert.notEqual(result.meta, null);
    }
    const plain = await extractInput(message({ From: 'a@b.example', Subject: 'lunch?' }, 'see you at noon\r\n'), 'INBOX uid 1', DEFAULT_LIMITS);
    assert.deepEqual(plain.kind === 'not-aggregate' ? [plain.what, plain.reason, plain.meta?.subject] : plain.kind, [
      'no-report',
      'not an aggregate report (no-report): no attachment or body part holds gzip, zip or XML',
      'lunch?',
    ]);
  });

  it('a text file is neither a report nor a message', async () => {
    const result = await extractInput(text('These are our DMARC reports.\nAsk Kim.\n'), 'reports/README', DEFAULT_LIMITS);
    assert.equal(result.kind, 'not-aggregate');
    if (result.kind !== 'not-aggregate') return;
    assert.deepEqual([result.what, result.meta], ['text', null]);
    assert.match(result.reason, /^not an aggregate report or a mail message \(.+\)$/);
  });

  it('a message over a cap, or one that is not readable as a message, is invalid with a typed error', async () => {
    const big = await extractInput(withAttachment('r.xml', 'text/xml', text(xmlReport())), 'm.eml', limits({ maxMessageBytes: 200 }));
    assert.equal(big.kind, 'invalid');
    if (big.kind === 'invalid') assert.ok(big.error instanceof LimitExceededError);
    const mbox = await extractInput(text('From someone@example.com Mon Jan  1 00:00:00 2024\n\x00\x01binary'), 'box.mbox message 1', DEFAULT_LIMITS);
    assert.equal(mbox.kind, 'invalid');
    if (mbox.kind === 'invalid') {
      assert.ok(mbox.error instanceof MalformedInputError);
      assert.ok(mbox.error instanceof InputError);
      assert.match(mbox.error.message, /^not an e-mail message/);
    }
  });

  it('documents come lazily, and each reading opens the payloads again', async () => {
    const result = await extractInput(gzip(xmlReport()), 'r.xml.gz', DEFAULT_LIMITS);
    assert.equal(result.kind, 'aggregate');
    if (result.kind !== 'aggregate') return;
    assert.deepEqual([[...result.documents].length, [...result.documents].length], [1, 1]);
  });
});

describe('extractInputSource (a large file read from disk in pieces)', () => {
  /** The bytes as a stream of small pieces, counting how often it is opened and what is pulled. */
  function pieces(bytes: Uint8Array, size = 1000) {
    const stats = { opened: 0, pulled: 0 };
    const source = streamSource(() => {
      stats.opened++;
      return (function* () {
        for (let at = 0; at < bytes.length; at += size) {
          stats.pulled += Math.min(size, bytes.length - at);
          yield bytes.slice(at, at + size);
        }
      })();
    });
    return { source, stats };
  }
  const as = async (bytes: Uint8Array, label: string) => {
    const streamed = await extractInputSource(pieces(bytes).source, label, DEFAULT_LIMITS);
    const whole = await extractInput(bytes, label, DEFAULT_LIMITS);
    return { streamed, whole };
  };

  it('finds what extractInput finds, for every kind of input', async () => {
    const zip = makeZip([{ name: 'a.xml', data: text(xmlReport('a')) }]);
    const mail = withAttachment('r.xml.gz', 'application/gzip', gzip(xmlReport()));
    for (const [bytes, label] of [
      [text(xmlReport('x', 50)), 'r.xml'],
      [gzip(xmlReport('g', 50)), 'r.xml.gz'],
      [zip, 'r.zip'],
      [mail, 'm.eml'],
    ] as const) {
      const { streamed, whole } = await as(bytes, label);
      assert.deepEqual(found(streamed), found(whole), label);
    }
    const notes = await as(text('just some notes\n'.repeat(100)), 'README');
    assert.deepEqual([notes.streamed.kind, notes.whole.kind], ['not-aggregate', 'not-aggregate']);
  });

  it('reads XML and gzip as they stream, opening the source once per reading', async () => {
    const bytes = text(xmlReport('x', 200));
    const { source, stats } = pieces(bytes, 512);
    const result = await extractInputSource(source, 'r.xml', DEFAULT_LIMITS);
    assert.ok(stats.pulled < bytes.length, 'only the head is read before the documents are');
    assert.equal(result.kind, 'aggregate');
    if (result.kind !== 'aggregate') return;
    const [item] = [...result.documents];
    assert.equal(item?.kind, 'document');
    if (item?.kind !== 'document') return;
    const chunks = [...item.document.chunks];
    assert.ok(chunks.every((c) => c.length <= 512));
    assert.equal(Buffer.concat(chunks).length, bytes.length);
    assert.equal(stats.opened, 1);
  });

  it('caps what must be gathered whole (a zip, a message) at max_decompressed_bytes', async () => {
    const zip = makeZip([{ name: 'a.xml', data: text(xmlReport('a', 20)) }]);
    const result = await extractInputSource(pieces(zip).source, 'r.zip', limits({ maxDecompressedBytes: 100 }));
    assert.equal(result.kind, 'invalid');
    assert.ok(result.kind === 'invalid' && result.error instanceof LimitExceededError && /max_decompressed_bytes/.test(result.error.message));
  });
});
