/**
 * Every file in test/fixtures/samples/aggregate through the entry point the ingest job would use
 * for it: .eml → extractMessage → openPayload; .xml/.gz/.zip → openPayload.
 */
import assert from 'node:assert/strict';
import { basename, relative } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { LimitExceededError, MalformedInputError } from '../../src/errors.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { extractMessage, type NotAggregateReason } from '../../src/extract/message.js';
import { drain, payload, SAMPLES, sampleFiles, type Drained } from './support.js';

type Expected =
  | { kind: 'documents'; names?: string[] }
  | { kind: 'rejected'; message: RegExp }
  | { kind: 'not-aggregate'; reason: NotAggregateReason };

/** Files that do not simply yield one document holding `<feedback`. */
const SPECIAL: Record<string, Expected> = {
  'parsedmarc/empty.xml': { kind: 'rejected', message: /^empty\.xml is empty \(0 bytes\)$/ },
  'modoboa/Report_Domain_ngyn.org_Submitter_amazon.com_Report-ID_aggr_report_ngyn.org_20210607-ignored.eml': {
    kind: 'rejected',
    message: /^attachment amazonses\.com!ngyn\.org!1622937600!1623024000\.xml\.gz \(after gunzip\) is a PNG image, not gzip, zip or XML$/,
  },
  'parsedmarc/mimecast-weird-gzip.eml': {
    kind: 'documents',
    names: ['mimecast.org!ab.id.au!1693353600!1693439999!157a5fe30ec76f4bc0d8bccfc96c118a167a1280fee7c7465af5115e73082e5e.xml'],
  },
  'modoboa/Report_Domain_ngyn.org_Submitter_163.com_Report-ID_aggr_report_ngyn.org_20150705_163-failed.com.eml': {
    kind: 'documents',
    names: ['163.com!ngyn.org!1436054400!1436140799.xml'], // application/gzip holding a zip
  },
  'parsedmarc/nice-input.xml.gz': { kind: 'documents', names: ['nice-input.xml'] },
  'parsedmarc/nice-input.xml.zip': { kind: 'documents', names: ['nice-input.xml'] },
  'not-aggregate/dmarc_ruf_report_linkedin.crlf.eml': { kind: 'not-aggregate', reason: 'failure-report' },
  'not-aggregate/dmarc_ruf_report_linkedin.eml': { kind: 'not-aggregate', reason: 'failure-report' },
  'not-aggregate/exim_plain_text_only_no_arf_part.eml': { kind: 'not-aggregate', reason: 'failure-report' },
  'not-aggregate/failure-domain.de-sharepoint.eml': { kind: 'not-aggregate', reason: 'failure-report' },
  'not-aggregate/failure-netease-rent-reminder.eml': { kind: 'not-aggregate', reason: 'failure-report' },
  'not-aggregate/google.com_smtp_tls_report.eml': { kind: 'not-aggregate', reason: 'tls-report' },
};

const FEEDBACK = /<(?:[A-Za-z_][\w.-]*:)?feedback[\s>/]/;

type Outcome = { kind: 'documents'; docs: Drained[] } | { kind: 'not-aggregate'; reason: string; detail: string } | { kind: 'error'; error: unknown };

async function run(path: string): Promise<Outcome> {
  const bytes = new Uint8Array(readFileSync(path));
  try {
    if (!path.endsWith('.eml')) return { kind: 'documents', docs: drain(payload(basename(path), bytes, 'file')) };
    const content = await extractMessage(bytes, DEFAULT_LIMITS);
    if (content.kind === 'not-aggregate') return { kind: 'not-aggregate', reason: content.reason, detail: content.detail };
    assert.equal(content.payloads.length, 1, 'one candidate payload');
    return { kind: 'documents', docs: content.payloads.flatMap((p) => drain(p)) };
  } catch (error) {
    return { kind: 'error', error };
  }
}

describe('every sample through extract', () => {
  const files = sampleFiles();
  it('has all 42 samples', () => assert.equal(files.length, 42));

  for (const path of files) {
    const key = relative(SAMPLES, path);
    const expected: Expected = SPECIAL[key] ?? { kind: 'documents' };
    it(key, async () => {
      const outcome = await run(path);
      switch (expected.kind) {
        case 'documents': {
          if (outcome.kind === 'error') throw outcome.error;
          assert.equal(outcome.kind, 'documents', JSON.stringify(outcome));
          if (outcome.kind !== 'documents') return;
          assert.equal(outcome.docs.length, 1);
          for (const doc of outcome.docs) {
            assert.match(doc.head, FEEDBACK, `${doc.name} holds a feedback element`);
            assert.match(doc.tail, /feedback>\s*$/, `${doc.name} is complete`);
          }
          if (expected.names !== undefined) assert.deepEqual(outcome.docs.map((d) => d.name), expected.names);
          return;
        }
        case 'rejected':
          assert.equal(outcome.kind, 'error');
          if (outcome.kind !== 'error') return;
          assert.ok(outcome.error instanceof MalformedInputError, String(outcome.error));
          assert.match(outcome.error.message, expected.message);
          return;
        case 'not-aggregate':
          assert.equal(outcome.kind, 'not-aggregate', outcome.kind === 'error' ? String(outcome.error) : '');
          if (outcome.kind !== 'not-aggregate') return;
          assert.equal(outcome.reason, expected.reason);
          assert.ok(outcome.detail.length > 0);
          return;
      }
    });
  }

  it('reads message metadata', async () => {
    const content = await extractMessage(new Uint8Array(readFileSync(`${SAMPLES}/parsedmarc/twilight.eml`)), DEFAULT_LIMITS);
    assert.equal(content.meta.subject, 'Report domain: twlnet.com Submitter: google.com Report-ID: 1627703331531660819');
    assert.equal(content.meta.from, 'noreply-dmarc-support@google.com');
    assert.equal(typeof content.meta.date, 'number');
    assert.ok(content.meta.messageId !== null && !content.meta.messageId.startsWith('<'));
  });

  it('never throws anything but InputErrors on the samples, also with tiny limits', async () => {
    const tiny = { ...DEFAULT_LIMITS, maxMessageBytes: 4000, maxDecompressedBytes: 1000, maxNestingDepth: 1 };
    for (const path of files) {
      const bytes = new Uint8Array(readFileSync(path));
      try {
        if (path.endsWith('.eml')) {
          const content = await extractMessage(bytes, tiny);
          if (content.kind === 'aggregate') for (const p of content.payloads) drain(p, tiny);
        } else {
          drain(payload(basename(path), bytes), tiny);
        }
      } catch (error) {
        assert.ok(error instanceof LimitExceededError || error instanceof MalformedInputError, `${path}: ${String(error)}`);
      }
    }
  });
});
