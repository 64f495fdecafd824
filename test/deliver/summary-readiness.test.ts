/**
 * Issue 12 #16: the readiness line tells what enforcement would stop (spoofing) apart from what
 * it would hurt (legitimate mail failing: our own sources, our services, forwarders), from the
 * source classes the summary already has. Pure: the builder over rows and injected classes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSummary } from '../../src/analyze/summary/build.js';
import type { DnsPolicy, SourceRow } from '../../src/analyze/summary/types.js';
import { readinessText } from '../../src/deliver/summary-facts.js';
import { summaryJson } from '../../src/deliver/summary-json.js';

const period = { begin: 1795392000, end: 1795996800, label: 'last-week' };
const row = (ip: string, messages: number, dmarcPass: number): SourceRow => ({ domain: 'example.com', ip, messages, dmarcPass, dkimPass: dmarcPass, spfPass: 0, quarantine: 0, reject: 0 });

function domain(rows: readonly SourceRow[], classes: Record<string, string>, p: DnsPolicy['p']) {
  const summary = buildSummary({
    period, previous: { begin: period.begin - 7 * 86400, end: period.begin }, generatedAt: period.end, latestReportEnd: period.end - 1,
    domains: ['example.com'], current: rows, previousRows: [], reports: [], lookback: 4, seen: new Map(),
    published: new Map([['example.com', { p, sp: null, np: null, pct: null, testing: null, recordDomain: 'example.com', via: 'domain', applies: 'p' } as DnsPolicy]]),
    names: new Map(), organisationFor: () => () => null,
    classOf: (_d, ip) => (classes[ip] === undefined ? null : { class: classes[ip]!, fix: '' }), days: new Map(),
  });
  return { d: summary.domains[0]!, json: summaryJson(summary).domains[0]! };
}

describe('readiness: spoofing stopped apart from legitimate mail hurt', () => {
  it('failing mail that is all spoofing hurts nothing (the issue: "would bounce 0.8 % (16 msgs)")', () => {
    const { d, json } = domain([row('192.0.2.10', 1984, 1984), row('198.51.100.5', 16, 0)], { '192.0.2.10': 'ours-pass', '198.51.100.5': 'spoof' }, 'quarantine');
    assert.equal(readinessText(d), 'p=reject would bounce, rather than send to spam, 16 spoofed msgs (0.8% of mail) and no legitimate mail');
    assert.deepEqual(json.readiness, {
      messages: 2000, hurt_by_quarantine: 16, hurt_by_reject: 16, forwarded_excluded: 0,
      spoofing_stopped: 16, legitimate_hurt: 0, legitimate_hurt_by: { ours: 0, services: 0, forwarded: 0 }, unclassified_failing: 0,
    });
  });

  it('names what legitimate mail would be hurt: our own sources, services, forwarders', () => {
    const { d, json } = domain(
      [row('192.0.2.10', 100, 90), row('203.0.113.7', 50, 45), row('192.0.2.99', 20, 0), row('198.51.100.5', 30, 0), row('198.51.100.6', 4, 0)],
      { '192.0.2.10': 'ours-dkim-fail', '203.0.113.7': 'service-fail', '192.0.2.99': 'forwarded', '198.51.100.5': 'spoof' },
      'none',
    );
    assert.equal(
      readinessText(d),
      'p=quarantine or p=reject would stop 30 spoofed msgs (14.7% of mail) and hurt 35 legitimate msgs (17.2%: 10 from our own sources, 5 from our services, 20 forwarded); 4 more failing msgs (2.0%) come from unclassified sources',
    );
    assert.deepEqual(json.readiness, {
      messages: 204, hurt_by_quarantine: 49, hurt_by_reject: 49, forwarded_excluded: 20,
      spoofing_stopped: 30, legitimate_hurt: 35, legitimate_hurt_by: { ours: 10, services: 5, forwarded: 20 }, unclassified_failing: 4,
    });
  });

  it('at p=reject says what receivers refuse now', () => {
    const { d } = domain([row('192.0.2.10', 10, 8), row('198.51.100.5', 10, 0)], { '192.0.2.10': 'ours-spf-fail', '198.51.100.5': 'spoof' }, 'reject');
    assert.equal(readinessText(d), 'at p=reject, receivers refuse 10 spoofed msgs (50.0% of mail) and 2 legitimate msgs (10.0%: 2 from our own sources)');
  });

  it('with no classes at all (the domain is not in [[domains]]) keeps the plain share and says why', () => {
    const { d } = domain([row('192.0.2.10', 20, 15)], {}, 'none');
    assert.equal(readinessText(d), 'p=quarantine would send 25.0% of mail (5 msgs) to spam; p=reject would bounce it (their sources are not classified: add the domain to [[domains]])');
  });
});
