/** The pure parts of outbound reporting: rua parsing, periods, safety rules, retries, identities. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PolicyGroup } from '../../src/receiver/aggregate.js';
import { reportFilename, reportIdFor, subjectFor } from '../../src/receiver/package.js';
import { parseReportDay } from '../../src/report/period.js';
import { backoffAfter, planRetry } from '../../src/receiver/retry-schedule.js';
import { parseRua } from '../../src/dmarc/rua.js';
import { domainListed, safetyVerdict } from '../../src/receiver/safety.js';

describe('parseRua', () => {
  it('takes mailto URIs in order, decodes %-escapes, reads the size suffix', () => {
    const r = parseRua(' mailto:dmarc@Example.COM , mailto:a%21b%2Bc@reports.example!10m,mailto:x@y.example!512k ', 5);
    assert.deepEqual(r.destinations, [
      { uri: 'mailto:dmarc@Example.COM', address: 'dmarc@example.com', host: 'example.com', maxBytes: null },
      { uri: 'mailto:a%21b%2Bc@reports.example', address: 'a!b+c@reports.example', host: 'reports.example', maxBytes: 10 * 2 ** 20 },
      { uri: 'mailto:x@y.example', address: 'x@y.example', host: 'y.example', maxBytes: 512 * 1024 },
    ]);
    assert.deepEqual(r.ignored, []);
  });

  it('reads every unit as a power of two, and a bare number as bytes', () => {
    const sizes = parseRua('mailto:a@x.example!1g,mailto:b@x.example!2t,mailto:c@x.example!1000,mailto:d@x.example!3M', 10).destinations.map((d) => d.maxBytes);
    assert.deepEqual(sizes, [2 ** 30, 2 * 2 ** 40, 1000, 3 * 2 ** 20]);
  });

  it('ignores what it cannot use, each with a reason (RFC 9990 §3: malformed URIs SHOULD be ignored)', () => {
    const r = parseRua('https://reports.example/dmarc, dmarc@example.com, mailto:not-an-address, mailto:a!b@x.example, mailto:%zz@x.example, mailto:ok@x.example, mailto:OK@x.example', 5);
    assert.deepEqual(r.destinations.map((d) => d.address), ['ok@x.example']);
    assert.deepEqual(
      r.ignored.map((i) => i.reason),
      [
        'https: URIs are not supported (mailto only)',
        'not a URI',
        '"not-an-address" is not an email address',
        'a "!" that is not a size suffix (it must be written %21)',
        'a broken %-escape',
        'listed twice',
      ],
    );
  });

  it('uses at most max_rua_uris, in the published order', () => {
    const r = parseRua('mailto:a@x.example,mailto:b@x.example,mailto:c@x.example', 2);
    assert.deepEqual(r.destinations.map((d) => d.address), ['a@x.example', 'b@x.example']);
    assert.match(r.ignored[0]?.reason ?? '', /more than 2 rua URIs \(raise \[outbound\] max_rua_uris\)/);
  });

  it('drops mailto header fields and accepts an empty or missing tag', () => {
    assert.equal(parseRua('mailto:a@x.example?subject=hello', 1).destinations[0]?.address, 'a@x.example');
    assert.equal(parseRua('mailto:a@x.example%2Cb@y.example', 1).ignored[0]?.reason, 'more than one address in one mailto URI');
    assert.deepEqual(parseRua(null, 3), { destinations: [], ignored: [] });
    assert.deepEqual(parseRua('', 3), { destinations: [], ignored: [] });
  });
});

describe('periods', () => {
  const now = Date.UTC(2026, 10, 30, 8, 45) / 1000;
  it('yesterday is the previous UTC day, 00:00:00 up to the next midnight', () => {
    assert.deepEqual(parseReportDay('yesterday', now), { label: '2026-11-29', begin: Date.UTC(2026, 10, 29) / 1000, end: Date.UTC(2026, 10, 30) / 1000 });
  });
  it('a date must be real and over', () => {
    assert.equal(parseReportDay('2026-11-28', now)?.label, '2026-11-28');
    assert.equal(parseReportDay('2026-11-30', now), null, 'today is not over yet');
    assert.equal(parseReportDay('2026-02-30', now), null);
    assert.equal(parseReportDay('29.11.2026', now), null);
  });
});

const group = (over: Partial<PolicyGroup> = {}): PolicyGroup => ({
  policyDomain: 'mail.example.com',
  policy: { p: 'none', sp: null, np: null, adkim: null, aspf: null, fo: null, testing: null, pct: null, discoveryMethod: null },
  configKey: 'k',
  rua: 'mailto:a@example.com',
  rows: [{ sourceIp: '192.0.2.1', count: 3, disposition: 'none', dkimAligned: 'pass', spfAligned: 'pass', reasons: [], headerFrom: 'mail.example.com', envelopeFrom: 'example.com', envelopeTo: null, dkim: [], spf: null }],
  messages: 3,
  reportMail: 0,
  rejected: 0,
  skipped: 0,
  ...over,
});
const rules = { allowDomains: [] as string[], denyDomains: [] as string[], everAccepted: () => true };

describe('safety rules', () => {
  it('deny and allow lists cover subdomains', () => {
    assert.equal(domainListed('mail.example.com', ['example.com']), true);
    assert.equal(domainListed('badexample.com', ['example.com']), false);
    assert.deepEqual(safetyVerdict(group(), { ...rules, denyDomains: ['example.com'] }), { send: false, reason: 'listed in [outbound] deny_domains' });
    assert.deepEqual(safetyVerdict(group(), { ...rules, allowDomains: ['example.org'] }), { send: false, reason: 'not listed in [outbound] allow_domains' });
    assert.deepEqual(safetyVerdict(group(), { ...rules, allowDomains: ['example.com'] }), { send: true });
  });
  it('no report when all the mail was report mail to our own rua mailbox', () => {
    assert.equal(safetyVerdict(group({ reportMail: 3 }), rules).send, false);
    assert.equal(safetyVerdict(group({ reportMail: 2 }), rules).send, true);
  });
  it('no report for rejected-only mail from a domain we never accepted mail from', () => {
    let asked = 0;
    const never = { ...rules, everAccepted: () => (asked++, false) };
    assert.equal(safetyVerdict(group({ rejected: 3 }), never).send, false);
    assert.equal(safetyVerdict(group({ rejected: 3 }), rules).send, true, 'a domain we accepted before still gets its report');
    assert.equal(safetyVerdict(group({ rejected: 2 }), never).send, true);
    assert.equal(asked, 1, 'the history is only asked when every message was rejected');
  });
});

describe('retries', () => {
  it('backs off 15 min, 1 h, 4 h, 12 h, then daily', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 9].map(backoffAfter), [900, 3600, 14400, 43200, 86400, 86400]);
  });
  it('gives up after give_up_after_days from the build', () => {
    assert.deepEqual(planRetry(1, 1000, 1000, 4), { kind: 'retry', at: 1900 });
    assert.deepEqual(planRetry(5, 1000 + 3 * 86400 + 1, 1000, 4), { kind: 'expired' });
  });
});

describe('report identity', () => {
  const input = { reporterDomain: 'receiver.example', policyDomain: 'example.com', configKey: 'abc', begin: Date.UTC(2026, 10, 29) / 1000 };
  it('is deterministic, letters and digits only, and differs per domain, configuration and day', () => {
    const id = reportIdFor(input);
    assert.match(id, /^20261129[0-9a-f]{16}$/);
    assert.equal(reportIdFor({ ...input }), id);
    assert.notEqual(reportIdFor({ ...input, configKey: 'abd' }), id);
    assert.notEqual(reportIdFor({ ...input, policyDomain: 'example.org' }), id);
    assert.notEqual(reportIdFor({ ...input, begin: input.begin + 86400 }), id);
  });
  it('names the file and the subject as RFC 9990 §2.1 asks', () => {
    assert.equal(reportFilename('receiver.example', 'example.com', 1, 2, 'abc1'), 'receiver.example!example.com!1!2!abc1.xml.gz');
    assert.equal(subjectFor('example.com', 'receiver.example', 'abc1'), 'Report Domain: example.com Submitter: receiver.example Report-ID: <abc1>');
  });
});
