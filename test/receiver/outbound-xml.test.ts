/**
 * Outbound reports as documents: evaluations written into a real SQLite file → read back per
 * policy domain → aggregated → XML in both dialects. Every document must validate against the
 * schema (xmllint --schema) and read back through our own parser (src/report/aggregate/parse.ts) with no issue and
 * the same numbers as the evaluations we inserted (counted here independently).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { aggregatePolicyDomain, MAX_DKIM_PER_ROW, type PolicyGroup } from '../../src/receiver/aggregate.js';
import { outboundReport } from '../../src/receiver/outbound-report.js';
import { buildAggregateXml } from '../../src/report/aggregate/build.js';
import { fullIpv6 } from '../../src/report/aggregate/ip.js';
import { DMARC2_NAMESPACE as DMARC_2_NAMESPACE } from '../../src/report/aggregate/vocabulary.js';
import { dayPeriod } from '../../src/report/period.js';
import type { AggregateRecord } from '../../src/report/aggregate/types.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { EvaluationReader } from '../../src/store/evaluations-read.js';
import { evaluation, insertEvaluations, type EvaluationInput } from '../helpers/evaluations.js';
import { collect } from '../helpers/parse.js';
import { startDnsServer } from '../helpers/dns-server.js';
import { harness } from './harness.js';
import { message } from './support.js';

const XSD = {
  rfc9990: new URL('../../schema/xsd/rua-dmarcbis.xsd', import.meta.url).pathname,
  rfc7489: new URL('../../schema/xsd/rua-rfc7489-fixed.xsd', import.meta.url).pathname,
  relaxed: new URL('../../schema/xsd/rua-rfc7489-relaxed.xsd', import.meta.url).pathname,
};
const DAY = dayPeriod(Date.UTC(2026, 10, 29) / 1000);
const D = 'example.net';

let dir: string;
let db: Database;

/** A day of varied mail from example.net, plus noise outside the day and from other domains. */
function inputs(): EvaluationInput[] {
  const at = (h: number) => DAY.begin + h * 3600;
  const list: EvaluationInput[] = [];
  for (let i = 0; i < 5; i++) list.push(evaluation(D, at(i)));
  list.push(
    evaluation(D, at(6), { sourceIp: '2001:db8::25', recipients: ['a@receiver.example', 'b@other.example'] }),
    evaluation(D, at(6), { sourceIp: '2001:db8::25', recipients: ['c@receiver.example'] }),
    // Null reverse-path: SPF checked the HELO identity; a forwarded message with a broken signature.
    evaluation(D, at(7), {
      sourceIp: '198.51.100.7',
      envelopeFrom: '',
      envelopeFromDomain: '',
      spfDomain: 'mx.forwarder.example',
      spfScope: 'helo',
      spfResult: 'softfail',
      dkimAligned: 'fail',
      spfAligned: 'fail',
      disposition: 'none',
      p: 'none',
      dkim: [
        { domain: 'forwarder.example', selector: 'fw', result: 'pass', aligned: false },
        { domain: D, selector: 's1', result: 'fail', reason: 'body hash did not verify <bh> & more', aligned: true },
      ],
      reasons: [{ type: 'local_policy', comment: 'known forwarder <fw> & co' }],
    }),
    // A subdomain without its own record: same report, its own record (RFC 9990 §2).
    evaluation(D, at(8), { headerFrom: `news.${D}`, envelopeFromDomain: `news.${D}`, spfDomain: `news.${D}`, dkim: [] , spfResult: 'policy', spfAligned: 'fail', dkimAligned: 'fail', disposition: 'none', reasons: [{ type: 'policy_test_mode' }], testing: null }),
    // Passing under an enforcing policy: disposition pass (RFC 9990 only).
    evaluation(D, at(9), { disposition: 'pass' }),
    // Deferred (a DNS temperror): the sender retries and the retry is evaluated again; not counted.
    evaluation(D, at(10), { decision: 'defer', dkimAligned: 'fail', spfAligned: 'fail', disposition: 'none' }),
  );
  // The policy changed mid-day: a second configuration, a second report.
  for (let i = 0; i < 3; i++) {
    list.push(
      evaluation(D, at(12 + i), {
        p: 'reject',
        sp: 'quarantine',
        np: 'reject',
        adkim: 's',
        aspf: 'r',
        fo: '1:d',
        testing: 'y',
        pct: 50,
        rua: `mailto:rua@${D}!10m`,
        sourceIp: '203.0.113.9',
        dkimAligned: 'fail',
        spfAligned: 'fail',
        disposition: i === 0 ? 'reject' : 'quarantine',
        decision: i === 0 ? 'reject' : 'quarantine',
        dkim: Array.from({ length: i === 2 ? 120 : 1 }, (_, n) => ({ domain: `d${n}.example`, selector: `s${n}`, result: n === 7 ? 'pass' : 'fail' })),
      }),
    );
  }
  list.push(evaluation(D, DAY.begin - 1), evaluation(D, DAY.end), evaluation('example.org', at(3)));
  return list;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ruaflow-outbound-xml-'));
  db = openDatabase(join(dir, 'db.sqlite'));
  insertEvaluations(db, inputs());
});
after(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function groups(): PolicyGroup[] {
  const reader = EvaluationReader.open(join(dir, 'db.sqlite'));
  try {
    const days = [...reader.byPolicyDomain(DAY.begin, DAY.end - 1)];
    assert.deepEqual(days.map((d) => [d.policyDomain, d.evaluations.length]), [['example.net', 13], ['example.org', 1]]);
    return aggregatePolicyDomain(days[0]!.evaluations, new Set());
  } finally {
    reader.close();
  }
}

function xml(group: PolicyGroup, format: 'rfc9990' | 'rfc7489'): string {
  return buildAggregateXml(outboundReport({
    format,
    orgName: 'Receiver & Co <mail>',
    email: 'dmarc-reports@receiver.example',
    extraContactInfo: 'https://receiver.example/dmarc',
    reportId: `20261129${group.configKey}`,
    begin: DAY.begin,
    end: DAY.end - 1,
    generator: 'ruaflow test',
    policyDomain: group.policyDomain,
    policy: group.policy,
    rows: group.rows,
  }));
}

function xmllint(document: string, xsd: string): { status: number | null; stderr: string } {
  const r = spawnSync('xmllint', ['--noout', '--schema', xsd, '-'], { input: document, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

/** What one message looks like in a report, computed from the inserted evaluation. */
function expectedKey(e: EvaluationInput, format: 'rfc9990' | 'rfc7489'): string {
  const rfc9990 = format === 'rfc9990';
  const dkim = [...(e.dkim ?? [])]
    .map((d, i) => ({ d, i, rank: d.result === 'pass' ? (d.aligned === true ? 0 : 1) : 2 }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .slice(0, MAX_DKIM_PER_ROW)
    .map(({ d }) => `${d.domain}/${d.selector}/${d.result}/${d.reason ?? ''}`);
  const reasons = (e.reasons ?? []).map((r) => (!rfc9990 && r.type === 'policy_test_mode' ? `other/policy_test_mode` : `${r.type}/${r.comment ?? ''}`));
  const spf = e.spfResult == null ? (rfc9990 ? [] : [`${e.envelopeFromDomain || e.headerFrom}/mfrom/none`])
    : [`${e.spfDomain}/${rfc9990 ? (e.spfScope === 'mfrom' ? 'mfrom' : '') : e.spfScope}/${!rfc9990 && e.spfResult === 'policy' ? 'fail' : e.spfResult}`];
  const disposition = !rfc9990 && e.disposition === 'pass' ? 'none' : e.disposition;
  const to = e.recipients?.[0]?.split('@')[1] ?? '';
  return [e.sourceIp, disposition, e.dkimAligned, e.spfAligned, e.headerFrom, e.envelopeFromDomain, to, reasons.join(','), dkim.join(','), spf.join(',')].join('|');
}

function parsedKey(r: AggregateRecord): string {
  const reasons = r.reasons.map((x) => `${x.type}/${x.comment ?? ''}`);
  const dkim = r.dkim.map((d) => `${d.domain}/${d.selector ?? ''}/${d.result}/${d.humanResult ?? ''}`);
  const spf = r.spf.map((s) => `${s.domain}/${s.scope ?? ''}/${s.result}`);
  return [r.sourceIp, r.disposition, r.dkimAligned, r.spfAligned, r.headerFrom, r.envelopeFrom, r.envelopeTo ?? '', reasons.join(','), dkim.join(','), spf.join(',')].join('|');
}

function tally(keys: Iterable<[string, number]>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, n] of keys) out.set(k, (out.get(k) ?? 0) + n);
  return out;
}

describe('outbound report XML', () => {
  it('one report per policy configuration; records fold identical messages', () => {
    const gs = groups();
    assert.equal(gs.length, 2);
    assert.deepEqual(gs.map((g) => g.messages), [10, 3]);
    assert.deepEqual(gs.map((g) => g.policy.p), ['none', 'reject']);
    assert.notEqual(gs[0]?.configKey, gs[1]?.configKey);
    // The five identical messages at 00-04 h make one row with count 5.
    assert.ok(gs[0]?.rows.some((r) => r.count === 5 && r.sourceIp === '192.0.2.10'));
    assert.equal(gs[1]?.rua, `mailto:rua@${D}!10m`);
  });

  for (const format of ['rfc9990', 'rfc7489'] as const) {
    it(`${format}: validates against the schema and reads back through our parser with the same numbers`, () => {
      const day = inputs().filter((e) => e.policyDomain === D && e.evaluatedAt >= DAY.begin && e.evaluatedAt < DAY.end && e.decision !== 'defer');
      for (const group of groups()) {
        const document = xml(group, format);
        const lint = xmllint(document, XSD[format]);
        assert.equal(lint.status, 0, lint.stderr);
        if (format === 'rfc7489') assert.equal(xmllint(document, XSD.relaxed).status, 0);

        const back = collect(document);
        assert.deepEqual(back.outcome.issues, [], 'a clean document raises no issue in our parser');
        const h = back.outcome.header;
        assert.equal(h.format, format);
        assert.equal(h.namespace, format === 'rfc9990' ? DMARC_2_NAMESPACE : null);
        assert.equal(h.version, '1.0');
        assert.equal(h.orgName, 'Receiver & Co <mail>');
        assert.equal(h.reportId, `20261129${group.configKey}`);
        assert.deepEqual([h.begin, h.end], [DAY.begin, DAY.end - 1]);
        assert.equal(h.generator, format === 'rfc9990' ? 'ruaflow test' : null);
        assert.equal(h.policy.domain, D);
        assert.equal(h.policy.p, group.policy.p);
        if (group.policy.p === 'reject') {
          assert.deepEqual([h.policy.sp, h.policy.adkim, h.policy.aspf, h.policy.fo], ['quarantine', 's', 'r', '1:d']);
          assert.deepEqual([h.policy.np, h.policy.testing, h.policy.pct], format === 'rfc9990' ? ['reject', 'y', null] : [null, null, 50]);
        } else {
          assert.equal(h.policy.pct, format === 'rfc9990' ? null : 100);
          assert.equal(h.policy.discoveryMethod, format === 'rfc9990' ? 'treewalk' : null);
        }

        const mine = day.filter((e) => (e.p ?? null) === group.policy.p);
        assert.equal(back.outcome.messages, mine.length);
        assert.equal(back.outcome.records, group.rows.length);
        const expected = tally(mine.map((e) => [expectedKey(e, format), 1]));
        const got = tally(back.records.map((r) => [parsedKey(r), r.count]));
        assert.deepEqual(got, expected);
        assert.ok(back.records.every((r) => r.dkim.length <= MAX_DKIM_PER_ROW));
      }
    });
  }

  it('writes IPv6 with all eight groups in RFC 7489 mode (App. C has no ::)', () => {
    assert.equal(fullIpv6('2001:db8::25'), '2001:db8:0:0:0:0:0:25');
    assert.equal(fullIpv6('::ffff:192.0.2.1'), '0:0:0:0:0:ffff:c000:201');
    assert.equal(fullIpv6('192.0.2.1'), '192.0.2.1');
    const document = xml(groups()[0]!, 'rfc7489');
    assert.ok(document.includes('<source_ip>2001:db8:0:0:0:0:0:25</source_ip>'));
    assert.ok(!document.includes('<pass>') && !/<disposition>pass</.test(document));
  });

  it('escapes text and writes a UTF-8 declaration, no DOCTYPE', () => {
    const document = xml(groups()[0]!, 'rfc9990');
    assert.ok(document.startsWith('<?xml version="1.0" encoding="UTF-8"?>'));
    assert.ok(document.includes('Receiver &amp; Co &lt;mail&gt;'));
    assert.ok(!document.includes('<!DOCTYPE'));
  });

  it('the reader keeps child rows apart, in order, with null and empty text told apart', () => {
    const file = join(dir, 'reader.sqlite');
    const other = openDatabase(file);
    const at = DAY.begin + 60;
    insertEvaluations(other, [
      evaluation('b.example', at, {
        recipients: ['x@r.example', 'y@s.example'],
        dkim: [
          { domain: 'b.example', selector: 's1', result: 'fail', reason: 'odd \u001e text \u001f here', aligned: true },
          { domain: 'c.example', selector: 's2', result: 'pass', reason: '', aligned: false },
          { domain: 'd.example', selector: 's3', result: 'neutral', reason: null },
        ],
        reasons: [{ type: 'other', comment: null }, { type: 'local_policy', comment: '' }],
      }),
      evaluation('a.example', at, { recipients: [], dkim: [], reasons: [] }),
    ]);
    other.close();
    const reader = EvaluationReader.open(file);
    try {
      const days = [...reader.byPolicyDomain(DAY.begin, DAY.end - 1)];
      assert.deepEqual(days.map((d) => d.policyDomain), ['a.example', 'b.example']);
      const [a, b] = [days[0]!.evaluations[0]!, days[1]!.evaluations[0]!];
      assert.deepEqual([a.recipients, a.dkim, a.reasons], [[], [], []]);
      assert.deepEqual(b.recipients, ['x@r.example', 'y@s.example']);
      assert.deepEqual(b.dkim, [
        { domain: 'b.example', selector: 's1', result: 'fail', reason: 'odd   text   here', aligned: true },
        { domain: 'c.example', selector: 's2', result: 'pass', reason: '', aligned: false },
        { domain: 'd.example', selector: 's3', result: 'neutral', reason: null, aligned: false },
      ]);
      assert.deepEqual(b.reasons, [{ type: 'other', comment: null }, { type: 'local_policy', comment: '' }]);
    } finally {
      reader.close();
    }
  });
});

describe('outbound report XML: messages the pct tag left out', () => {
  it('RFC 7489 says sampled_out (App. C), for pct=0 and for sampling; RFC 9990, without pct, says policy_test_mode and other', async () => {
    const dns = await startDnsServer({
      '_dmarc.zero.example': { TXT: ['v=DMARC1; p=reject; pct=0; rua=mailto:d@zero.example'] },
      'zero.example': { A: ['192.0.2.80'] },
      '_dmarc.half.example': { TXT: ['v=DMARC1; p=reject; pct=50; rua=mailto:d@half.example'] },
      'half.example': { A: ['192.0.2.81'] },
    });
    const h = harness(dns);
    try {
      // Unauthenticated mail from both, verified by the real verifier; the sample 80 is above
      // pct=50, so that message is sampled out too (RFC 7489 §6.6.4).
      for (const from of ['a@zero.example', 'a@half.example']) {
        const { evaluation } = await h.verify(message({ from }), { ip: '203.0.113.9', helo: 'spoofer.test', mailFrom: 'x@spoofer.test' }, {}, 80);
        assert.deepEqual([evaluation.dmarcPolicy.requested, evaluation.dmarcPolicy.applied], ['reject', 'quarantine']);
      }
      const day = dayPeriod(1_800_000_000);
      const reader = EvaluationReader.open(h.dbPath);
      const types = new Map<string, Record<string, string[]>>();
      try {
        for (const { policyDomain, evaluations } of reader.byPolicyDomain(day.begin, day.end - 1)) {
          const [group] = aggregatePolicyDomain(evaluations, new Set());
          assert.ok(group);
          const out: Record<string, string[]> = {};
          for (const format of ['rfc9990', 'rfc7489'] as const) {
            const document = buildAggregateXml(outboundReport({
              format, orgName: 'Receiver', email: 'dmarc@receiver.example', extraContactInfo: null, reportId: `r-${policyDomain}`,
              begin: day.begin, end: day.end - 1, generator: 'ruaflow test', policyDomain, policy: group.policy, rows: group.rows,
            }));
            const lint = xmllint(document, XSD[format]);
            assert.equal(lint.status, 0, lint.stderr);
            if (format === 'rfc7489') assert.equal(xmllint(document, XSD.relaxed).status, 0);
            const back = collect(document);
            assert.deepEqual(back.outcome.issues, []);
            out[format] = back.records.flatMap((r) => r.reasons.map((x) => x.type));
          }
          types.set(policyDomain, out);
        }
      } finally {
        reader.close();
      }
      assert.deepEqual(types.get('zero.example'), { rfc9990: ['policy_test_mode'], rfc7489: ['sampled_out'] });
      assert.deepEqual(types.get('half.example'), { rfc9990: ['other'], rfc7489: ['sampled_out'] });
    } finally {
      h.close();
      await dns.stop();
    }
  });
});
