import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeBytes, sniff, withArticle } from '../../src/extract/sniff.js';
import { gzip, makeZip, sample, text } from './support.js';

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

describe('sniff', () => {
  it('recognises gzip and zip by their magic numbers, whatever follows', () => {
    assert.equal(sniff(gzip('<feedback/>')), 'gzip');
    assert.equal(sniff(bytes(0x1f, 0x8b)), 'gzip');
    assert.equal(sniff(makeZip([{ name: 'a.xml', data: text('<feedback/>') }])), 'zip');
    assert.equal(sniff(text('PK\u0005\u0006' + '\u0000'.repeat(18))), 'zip'); // empty archive
    assert.equal(sniff(text('PK\u0001\u0002')), 'unknown'); // a central directory record alone is no zip
  });

  it('recognises XML after a BOM and whitespace, in UTF-8 and UTF-16 with or without BOM', () => {
    assert.equal(sniff(text('<?xml version="1.0"?><feedback/>')), 'xml');
    assert.equal(sniff(text('\r\n\t  <feedback/>')), 'xml');
    assert.equal(sniff(bytes(0xef, 0xbb, 0xbf, 0x0a, 0x3c)), 'xml');
    assert.equal(sniff(new Uint8Array(Buffer.from('\ufeff \n<feedback/>', 'utf16le'))), 'xml');
    assert.equal(sniff(new Uint8Array(Buffer.from('<feedback/>', 'utf16le'))), 'xml');
    assert.equal(sniff(bytes(0xfe, 0xff, 0x00, 0x20, 0x00, 0x3c)), 'xml');
    assert.equal(sniff(bytes(0x00, 0x3c, 0x00, 0x3f)), 'xml');
    assert.equal(sniff(text(' '.repeat(5000) + '<feedback/>')), 'unknown'); // too much leading space
  });

  it('tells an mbox From_ line from an RFC 5322 header field', () => {
    assert.equal(sniff(text('From MAILER-DAEMON Thu Jan  1 00:00:00 2024\nReceived: x\n')), 'mbox');
    for (const first of ['Received: from x', 'Return-Path: <a@b>', 'From: a@b', 'Delivered-To: a@b', 'X-Spam:1', 'ContentType: application/zip', 'MIME-Version : 1.0']) {
      assert.equal(sniff(text(`${first}\r\nSubject: s\r\n\r\nbody`)), 'message', first);
    }
    assert.equal(sniff(text('http://example.com/x')), 'unknown');
    assert.equal(sniff(text('This is: not a header')), 'unknown');
    assert.equal(sniff(text('unused')), 'unknown');
    assert.equal(sniff(new Uint8Array(0)), 'unknown');
  });

  it('classifies every sample file by content', () => {
    assert.equal(sniff(sample('parsedmarc/nice-input.xml.gz')), 'gzip');
    assert.equal(sniff(sample('parsedmarc/nice-input.xml.zip')), 'zip');
    assert.equal(sniff(sample('parsedmarc/nice-input.xml')), 'xml');
    assert.equal(sniff(sample('parsedmarc/twilight.eml')), 'message');
    assert.equal(sniff(sample('not-aggregate/google.com_smtp_tls_report.eml')), 'message');
    assert.equal(sniff(sample('parsedmarc/empty.xml')), 'unknown');
  });
});

describe('describeBytes', () => {
  it('names what arrived instead of a report', () => {
    assert.equal(describeBytes(new Uint8Array(0)), 'empty (0 bytes)');
    assert.equal(describeBytes(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0)), 'PNG image');
    assert.equal(describeBytes(text('%PDF-1.7\n...')), 'PDF document');
    assert.equal(describeBytes(bytes(0xff, 0xd8, 0xff, 0xe0)), 'JPEG image');
    assert.equal(describeBytes(gzip('x')), 'gzip data');
    assert.equal(describeBytes(text('<!DOCTYPE html><html>')), 'HTML document');
    assert.equal(describeBytes(text('<feedback/>')), 'XML document');
    assert.equal(describeBytes(text('unused')), 'text "unused"'); // NOTES.md §8.8, Yahoo 2023
    assert.equal(describeBytes(text('a longer line of plain text that goes on and on')), 'text');
    assert.equal(describeBytes(bytes(0x00, 0x01, 0x02, 0x03)), 'binary data');
    assert.equal(describeBytes(text('Received: x\r\n\r\n')), 'e-mail message');
  });

  it('puts the right article in front', () => {
    assert.equal(withArticle('PNG image'), 'a PNG image');
    assert.equal(withArticle('XML document'), 'an XML document');
    assert.equal(withArticle('HTML document'), 'an HTML document');
    assert.equal(withArticle('e-mail message'), 'an e-mail message');
    assert.equal(withArticle('empty (0 bytes)'), 'empty (0 bytes)');
    assert.equal(withArticle('gzip data'), 'gzip data');
    assert.equal(withArticle('text "unused"'), 'text "unused"');
  });
});
