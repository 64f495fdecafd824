/**
 * The aggregate format read and written over one model: for any report x a dialect can express,
 * parse(build(x)) is x, with no issue noted. "Can express" is the generator's business below
 * (RFC 7489 App. C: pct always, no RFC 9990-only elements or `pass`, at least one SPF result with
 * a scope; RFC 9990 §3: no pct, at most one SPF result, scope mfrom or none) together with what
 * the reader normalises (names lower-cased, text trimmed, IPv6 compressed per RFC 5952).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { OutboundReportFormat } from '../../src/types/config.js';
import { buildAggregateXml, type AggregateReport } from '../../src/report/aggregate/build.js';
import { canonicalIp } from '../../src/report/aggregate/ip.js';
import { FAR_FUTURE_EPOCH } from '../../src/limits.js';
import {
  ALIGNED_RESULTS,
  ALIGNMENT_MODES,
  DISCOVERY_METHODS,
  DISPOSITIONS,
  DKIM_RESULTS,
  POLICY_ACTIONS,
  SPF_RESULTS,
  TESTING_VALUES,
  type AggregateRecord,
  type PolicyPublished,
} from '../../src/report/aggregate/types.js';
import { DMARC2_NAMESPACE, OVERRIDE_TYPES_RFC7489, OVERRIDE_TYPES_RFC9990 } from '../../src/report/aggregate/vocabulary.js';
import { collect } from '../helpers/parse.js';

/** Free text as reporters write it: markup characters, quotes and non-ASCII included, trimmed. */
const text = fc
  .string({ unit: fc.constantFrom(...'abcXYZ019 .-_@&<>"\'/:;é漢'.split('')), minLength: 1, maxLength: 24 })
  .map((s) => s.trim())
  .filter((s) => s !== '');
const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
const domain = fc.array(label, { minLength: 2, maxLength: 4 }).map((labels) => labels.join('.'));
const ip = fc.oneof(fc.ipV4(), fc.ipV6()).map((raw) => canonicalIp(raw));
const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(arb, { nil: null });
const oneOf = <T>(words: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...words);
/** Plain objects, as the reader makes them (fast-check's records have a null prototype otherwise). */
const record = <T extends object>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> => fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;

function policy(format: OutboundReportFormat): fc.Arbitrary<PolicyPublished> {
  const rfc9990 = format === 'rfc9990';
  return record({
    domain,
    adkim: optional(oneOf(ALIGNMENT_MODES)),
    aspf: optional(oneOf(ALIGNMENT_MODES)),
    p: oneOf(POLICY_ACTIONS),
    sp: optional(oneOf(POLICY_ACTIONS)),
    np: rfc9990 ? optional(oneOf(POLICY_ACTIONS)) : fc.constant(null),
    pct: rfc9990 ? fc.constant(null) : fc.integer({ min: 0, max: 100 }),
    fo: optional(fc.constantFrom('0', '1', 'd', 's', '1:d:s')),
    testing: rfc9990 ? optional(oneOf(TESTING_VALUES)) : fc.constant(null),
    discoveryMethod: rfc9990 ? optional(oneOf(DISCOVERY_METHODS)) : fc.constant(null),
  });
}

function aggregateRecord(format: OutboundReportFormat): fc.Arbitrary<AggregateRecord> {
  const rfc9990 = format === 'rfc9990';
  const spf = record({
    domain,
    scope: rfc9990 ? optional(fc.constant('mfrom' as const)) : fc.constantFrom('mfrom' as const, 'helo' as const),
    result: oneOf(rfc9990 ? SPF_RESULTS : SPF_RESULTS.filter((r) => r !== 'policy')),
    humanResult: fc.constant(null),
  });
  return record({
    source: ip,
    count: fc.nat({ max: 1_000_000 }),
    disposition: oneOf(rfc9990 ? DISPOSITIONS : DISPOSITIONS.filter((d) => d !== 'pass')),
    dkimAligned: oneOf(ALIGNED_RESULTS),
    spfAligned: oneOf(ALIGNED_RESULTS),
    reasons: fc.array(record({ type: oneOf(rfc9990 ? OVERRIDE_TYPES_RFC9990 : OVERRIDE_TYPES_RFC7489), comment: optional(text) }), { maxLength: 3 }),
    headerFrom: domain,
    // RFC 9990 §3: envelope_from may be absent; "" is the null reverse-path. App. C requires it.
    envelopeFrom: rfc9990 ? fc.oneof(fc.constant(null), fc.constant(''), domain) : fc.oneof(fc.constant(''), domain),
    envelopeTo: optional(domain),
    dkim: fc.array(record({ domain, selector: label, result: oneOf(DKIM_RESULTS), humanResult: optional(text) }), { maxLength: 3 }),
    spf: fc.array(spf, rfc9990 ? { maxLength: 1 } : { minLength: 1, maxLength: 3 }),
  }).map(({ source, ...rest }) => ({ sourceIp: source.text, ipVersion: source.version, ...rest }));
}

function report(format: OutboundReportFormat): fc.Arbitrary<AggregateReport> {
  const rfc9990 = format === 'rfc9990';
  return fc
    .record({
      orgName: text,
      email: fc.tuple(label, domain).map(([local, host]) => `${local}@${host}`),
      extraContactInfo: optional(text),
      reportId: text.filter((id) => !/^<.*>$/.test(id)),
      // RFC 7489 App. C: epoch seconds; the reader notes a range before 2000 as implausible, and
      // one that ends after FAR_FUTURE_EPOCH (2100).
      begin: fc.integer({ min: 946_684_800, max: FAR_FUTURE_EPOCH - 7 * 86_400 }),
      length: fc.integer({ min: 0, max: 7 * 86_400 }),
      generator: rfc9990 ? text : fc.constant(null),
      policy: policy(format),
      records: fc.array(aggregateRecord(format), { minLength: 1, maxLength: 4 }),
    })
    .map(({ begin, length, records, reportId, ...rest }) => ({
      header: {
        format,
        namespace: rfc9990 ? DMARC2_NAMESPACE : null,
        version: '1.0',
        reportId,
        reportIdRaw: reportId,
        begin,
        end: begin + length,
        errors: [],
        ...rest,
      },
      records,
    }));
}

describe('aggregate reports: parse(build(x)) is x', () => {
  for (const format of ['rfc9990', 'rfc7489'] as const) {
    it(`in the ${format} dialect`, () => {
      fc.assert(
        fc.property(report(format), fc.integer({ min: 1, max: 4096 }), (x, chunkSize) => {
          const xml = buildAggregateXml(x);
          const back = collect(xml, undefined, chunkSize);
          assert.deepEqual(back.outcome.issues, [], xml);
          assert.deepEqual(back.headerEvent, x.header, xml);
          assert.deepEqual(back.records, x.records, xml);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('fails when the writer drops what the reader expects back (the property can fail)', () => {
    const x = fc.sample(report('rfc9990'), { numRuns: 1, seed: 11 })[0];
    assert.ok(x !== undefined);
    const changed = { ...x, header: { ...x.header, policy: { ...x.header.policy, p: 'bogus' as never } } };
    assert.notDeepEqual(collect(buildAggregateXml(changed)).headerEvent, changed.header);
  });
});
