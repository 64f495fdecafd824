import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LimitExceededError, MalformedInputError } from '../../src/errors.js';
import { extractMessage, type MessageContent, type Payload } from '../../src/extract/message.js';
import { base64Lines, drain, gzip, limits, makeZip, message, sample, text, xmlReport } from './support.js';

const HEADERS = {
  From: 'Reporter <noreply@reporter.example>',
  To: 'rua@example.com',
  Subject: 'Report Domain: example.com Submitter: reporter.example Report-ID: <r-1>',
  Date: 'Tue, 14 Nov 2023 22:13:20 +0000',
  'Message-ID': '<r-1@reporter.example>',
  'MIME-Version': '1.0',
};

const B = 'BOUNDARY-1';

function part(headers: string[], body: string): string {
  return `--${B}\r\n${headers.join('\r\n')}\r\n\r\n${body}\r\n`;
}

function multipart(parts: string[], type = 'multipart/mixed', extra = ''): Uint8Array {
  return message({ ...HEADERS, 'Content-Type': `${type}; boundary="${B}"${extra}` }, `${parts.join('')}--${B}--\r\n`);
}

const note = part(['Content-Type: text/plain; charset=us-ascii'], 'This is an aggregate report from reporter.example.');
const gz = gzip(xmlReport());

function attachment(type: string, name: string | null, bytes: Uint8Array, typeHeader = 'Content-Type'): string {
  const headers = [`${typeHeader}: ${type}${name === null ? '' : `; name="${name}"`}`, 'Content-Transfer-Encoding: base64'];
  if (name !== null) headers.push(`Content-Disposition: attachment; filename="${name}"`);
  return part(headers, base64Lines(bytes));
}

function payloads(content: MessageContent): Payload[] {
  assert.equal(content.kind, 'aggregate', content.kind === 'not-aggregate' ? content.detail : '');
  return content.kind === 'aggregate' ? content.payloads : [];
}

const run = (raw: Uint8Array) => extractMessage(raw, limits());

describe('extractMessage', () => {
  it('finds the report whatever the declared type says (NOTES.md §8.1)', async () => {
    for (const type of ['application/gzip', 'application/x-gzip', 'application/octet-stream', 'application/zip', 'text/plain', 'image/png']) {
      const found = payloads(await run(multipart([note, attachment(type, 'r.xml.gz', gz)])));
      assert.deepEqual(
        found.map((p) => [p.name, p.declaredType, p.origin]),
        [['r.xml.gz', type, 'attachment']],
        type,
      );
      assert.equal(drain(found[0]!)[0]?.name, 'r.xml');
    }
  });

  it('reads a part whose Content-Type header is misspelt (Trustwave "ContentType:", NOTES.md §8.4)', async () => {
    const found = payloads(await run(multipart([note, attachment('application/gzip', 'r.xml.gz', gz, 'ContentType')])));
    assert.equal(found.length, 1);
    assert.equal(drain(found[0]!).length, 1);
  });

  it('takes a report that is the whole single-part body (Google, Mimecast; §8.2)', async () => {
    const raw = message({ ...HEADERS, 'Content-Type': 'application/zip', 'Content-Transfer-Encoding': 'base64' }, base64Lines(makeZip([{ name: 'r.xml', data: text(xmlReport()) }])));
    const found = payloads(await run(raw));
    assert.deepEqual(
      found.map((p) => [p.name, p.origin]),
      [['body', 'body']],
    );
    assert.deepEqual(
      drain(found[0]!).map((d) => d.name),
      ['r.xml'],
    );
  });

  it('returns every report of a message with several (NOTES.md §8.29), unnamed parts labelled', async () => {
    const found = payloads(await run(multipart([note, attachment('application/gzip', 'a.xml.gz', gz), attachment('application/gzip', null, gzip(xmlReport('b')))])));
    assert.deepEqual(
      found.map((p) => [p.name, p.origin]),
      [
        ['a.xml.gz', 'attachment'],
        ['part 2', 'part'], // the second non-text part
      ],
    );
  });

  it('takes an uncompressed text/xml report (§8.7) and XML in a text/plain body', async () => {
    const xmlPart = part(['Content-Type: text/xml'], xmlReport());
    assert.equal(payloads(await run(multipart([note, xmlPart])))[0]?.declaredType, 'text/xml');
    const latin1Message = new TextDecoder().decode(message({ ...HEADERS, 'Content-Type': 'text/plain; charset=iso-8859-1' }, 'BODY'));
    const body8859 = `Here is the report:\r\n\r\n${xmlReport().replace('UTF-8', 'ISO-8859-1').replace('Reporter', 'R\u00e9porter')}\r\n-- \r\nsignature`;
    const inline = new Uint8Array(Buffer.from(latin1Message.replace('BODY', body8859), 'latin1'));
    const [body] = payloads(await run(inline));
    assert.equal(body?.name, 'body');
    const xml = new TextDecoder().decode(body?.bytes);
    assert.match(xml, /^<\?xml version="1.0"\?>\n<feedback>/); // encoding declaration dropped: now UTF-8
    assert.match(xml, /Réporter/);
    assert.match(xml, /<\/feedback>$/);
  });

  it('keeps a part that only claims to be a report, so it fails with a clear reason (§8.8)', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const found = payloads(await run(multipart([note, attachment('application/octet-stream', 'report.xml.gz', png)])));
    assert.throws(() => drain(found[0]!), { name: 'MalformedInputError', message: 'attachment report.xml.gz is a PNG image, not gzip, zip or XML' });
  });

  it('ignores attachments that are plainly something else', async () => {
    const pdf = text('%PDF-1.4 ...');
    const docx = makeZip([{ name: '[Content_Types].xml', data: text('<Types/>') }]);
    const content = await run(
      multipart([
        note,
        attachment('application/octet-stream', 'invoice.pdf', pdf),
        attachment('application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'letter.docx', docx),
        attachment('image/svg+xml', 'logo.svg', text('<svg xmlns="http://www.w3.org/2000/svg"/>')),
      ]),
    );
    assert.equal(content.kind, 'not-aggregate');
    assert.equal(content.kind === 'not-aggregate' && content.reason, 'no-report');
    assert.match(content.kind === 'not-aggregate' ? content.detail : '', /Subject announces an aggregate report/);
  });

  it('walks forwarded message/rfc822 parts (§8.3)', async () => {
    const inner = multipart([note, attachment('application/gzip', 'fwd.xml.gz', gz)]);
    const outer = multipart([part(['Content-Type: text/plain'], 'FYI, see the attached.'), part(['Content-Type: message/rfc822'], Buffer.from(inner).toString('latin1'))]);
    const found = payloads(await run(outer));
    assert.deepEqual(
      found.map((p) => p.name),
      ['fwd.xml.gz'],
    );
  });

  it('caps forwarded-message nesting at max_nesting_depth', async () => {
    let raw = multipart([note, attachment('application/gzip', 'deep.xml.gz', gz)]);
    for (let i = 0; i < 5; i++) {
      raw = message({ From: 'a@example.com', Subject: `fwd ${i}`, 'MIME-Version': '1.0', 'Content-Type': 'message/rfc822' }, Buffer.from(raw).toString('latin1'));
    }
    assert.equal(payloads(await extractMessage(raw, limits({ maxNestingDepth: 5 }))).length, 1);
    await assert.rejects(extractMessage(raw, limits({ maxNestingDepth: 4 })), (e: unknown) => {
      assert.ok(e instanceof LimitExceededError);
      assert.equal(e.setting, 'max_nesting_depth');
      return true;
    });
  });

  it('checks max_message_bytes before reading anything', async () => {
    const raw = sample('parsedmarc/twilight.eml');
    await assert.rejects(extractMessage(raw, limits({ maxMessageBytes: 1000 })), (e: unknown) => {
      assert.ok(e instanceof LimitExceededError);
      assert.equal(e.setting, 'max_message_bytes');
      assert.match(e.message, /message of 5910 bytes exceeds the limit of 1000/);
      return true;
    });
    // Garbage over the limit is a limit error too: nothing was parsed.
    await assert.rejects(extractMessage(new Uint8Array(2000), limits({ maxMessageBytes: 1000 })), LimitExceededError);
  });

  it('classifies bounces, receipts and TLS reports as not aggregate, without walking their contents', async () => {
    const returned = multipart([note, attachment('application/gzip', 'ours.xml.gz', gz)]);
    const bounce = multipart(
      [part(['Content-Type: text/plain'], 'Delivery failed'), part(['Content-Type: message/delivery-status'], 'Reporting-MTA: dns; mx.example\r\n'), part(['Content-Type: message/rfc822'], Buffer.from(returned).toString('latin1'))],
      'multipart/report',
      '; report-type=delivery-status',
    );
    const verdict = await run(bounce);
    assert.equal(verdict.kind, 'not-aggregate');
    assert.equal(verdict.kind === 'not-aggregate' && verdict.reason, 'no-report');
    const tls = multipart([note, attachment('application/tlsrpt+gzip', 'x.json.gz', gzip('{}'))]);
    assert.equal((await run(tls)).kind === 'not-aggregate' && ((await run(tls)) as { reason: string }).reason, 'tls-report');
  });

  it('says a forwarded failure report is one', async () => {
    const arf = sample('not-aggregate/dmarc_ruf_report_linkedin.eml');
    const outer = multipart([part(['Content-Type: text/plain'], 'look at this'), part(['Content-Type: message/rfc822'], Buffer.from(arf).toString('latin1'))]);
    const verdict = await run(outer);
    assert.equal(verdict.kind === 'not-aggregate' && verdict.reason, 'failure-report');
    assert.match(verdict.kind === 'not-aggregate' ? verdict.detail : '', /^forwarded /);
  });

  it('reads the metadata', async () => {
    const content = await run(multipart([note, attachment('application/gzip', 'r.xml.gz', gz)]));
    assert.deepEqual(content.meta, {
      messageId: 'r-1@reporter.example',
      subject: HEADERS.Subject,
      from: 'noreply@reporter.example',
      date: 1700000000,
    });
  });

  it('accepts an mbox From_ line and a BOM in front of the headers', async () => {
    const raw = multipart([note, attachment('application/gzip', 'r.xml.gz', gz)]);
    const mbox = new Uint8Array(Buffer.concat([Buffer.from('From noreply@reporter.example Tue Nov 14 22:13:20 2023\n'), raw]));
    assert.equal(payloads(await run(mbox)).length, 1);
    const bom = new Uint8Array(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), raw]));
    assert.equal(payloads(await run(bom)).length, 1);
  });

  it('refuses what is not an e-mail message', async () => {
    for (const [bytes, what] of [
      [gz, 'gzip data'],
      [new Uint8Array(0), 'empty'],
      [text('just some words'), 'text'],
    ] as const) {
      await assert.rejects(run(bytes), (e: unknown) => {
        assert.ok(e instanceof MalformedInputError);
        assert.ok(e.message.includes(what), e.message);
        return true;
      });
    }
  });
});
