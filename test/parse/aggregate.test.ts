import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LimitExceededError, ReportRejectedError } from '../../src/errors.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { collect, report } from '../helpers/parse.js';

const codes = (c: ReturnType<typeof collect>) => c.outcome.issues.map((i) => i.code);

describe('parseAggregate', () => {
  it('reads a plain RFC 7489 report, header first, whatever the chunk size', () => {
    for (const size of [1, 7, 64, 100_000]) {
      const c = collect(report(), DEFAULT_LIMITS, size);
      assert.equal(c.headerAt, 0);
      assert.equal(c.outcome.header.orgName, 'Reporter');
      assert.equal(c.outcome.header.reportId, 'r-1');
      assert.equal(c.outcome.header.policy.domain, 'example.com');
      assert.equal(c.outcome.header.policy.p, 'reject');
      assert.equal(c.outcome.header.format, 'rfc7489');
      assert.equal(c.outcome.header.version, '1.0');
      assert.equal(c.records.length, 1);
      assert.deepEqual(c.records[0], {
        sourceIp: '192.0.2.1',
        ipVersion: 4,
        count: 3,
        disposition: 'none',
        dkimAligned: 'pass',
        spfAligned: 'fail',
        reasons: [],
        headerFrom: 'example.com',
        envelopeFrom: null,
        envelopeTo: null,
        dkim: [{ domain: 'example.com', selector: 's1', result: 'pass', humanResult: null }],
        spf: [{ domain: 'bounce.example.com', scope: 'mfrom', result: 'softfail', humanResult: null }],
      });
      assert.equal(c.outcome.messages, 3);
      assert.deepEqual(codes(c), []);
    }
  });

  it('matches elements by local name under a prefixed root (AOL 2012) and records the namespace', () => {
    const xml = report({ root: '<ns1:feedback xmlns:ns1="http://dmarc.org/dmarc-xml/0.1">', rootEnd: '</ns1:feedback>' });
    const c = collect(xml);
    assert.equal(c.outcome.header.namespace, 'http://dmarc.org/dmarc-xml/0.1');
    assert.equal(c.records.length, 1);
  });

  it('recognises RFC 9990 by its namespace, with prefixed children', () => {
    const rec = '<d:record><d:row><d:source_ip>2001:DB8:0:0::1</d:source_ip><d:count>1</d:count><d:policy_evaluated><d:disposition>pass</d:disposition><d:dkim>pass</d:dkim><d:spf>pass</d:spf></d:policy_evaluated></d:row><d:identifiers><d:header_from>example.com</d:header_from><d:envelope_from></d:envelope_from></d:identifiers><d:auth_results/></d:record>';
    const c = collect(
      report({
        root: '<d:feedback xmlns:d="urn:ietf:params:xml:ns:dmarc-2.0">',
        rootEnd: '</d:feedback>',
        records: [rec],
        policy: '<d:policy_published><d:domain>Example.COM.</d:domain><d:p>reject</d:p><d:np>reject</d:np><d:testing>y</d:testing><d:discovery_method>treewalk</d:discovery_method></d:policy_published>',
      }),
    );
    assert.equal(c.outcome.header.format, 'rfc9990');
    assert.equal(c.outcome.header.policy.domain, 'example.com');
    assert.equal(c.outcome.header.policy.np, 'reject');
    assert.equal(c.outcome.header.policy.testing, 'y');
    assert.equal(c.records[0]?.sourceIp, '2001:db8::1');
    assert.equal(c.records[0]?.ipVersion, 6);
    assert.equal(c.records[0]?.disposition, 'pass');
    assert.equal(c.records[0]?.envelopeFrom, '', 'present-but-empty envelope_from is the null reverse-path');
  });

  it('normalises odd spellings and keeps unknown words, each flagged', () => {
    const rec = '<record><row><source_ip>192.0.2.9</source_ip><count>2</count><policy_evaluated><disposition>Quarantine</disposition><dkim>FAIL</dkim><spf>weird</spf><reason><type>sampled-out</type></reason><reason><type></type><comment>x</comment></reason></policy_evaluated></row><identities><header_from>Example.com</header_from></identities><auth_results><spf><domain>a.example</domain><result>hardfail</result></spf><spf><domain>a.example</domain><scope>helo</scope><result>unknown</result></spf><dkim><result>invalid</result><domain>x.example</domain></dkim></auth_results></record>';
    const c = collect(report({ records: [rec], policy: '<policy_published><domain>example.com</domain><p>none</p><sp></sp></policy_published>' }));
    const r = c.records[0]!;
    assert.equal(r.disposition, 'quarantine');
    assert.equal(r.dkimAligned, 'fail');
    assert.equal(r.spfAligned, 'weird');
    assert.deepEqual(r.reasons, [
      { type: 'sampled_out', comment: null },
      { type: 'other', comment: 'x' },
    ]);
    assert.deepEqual(r.spf.map((s) => s.result), ['fail', 'temperror']);
    assert.deepEqual(r.dkim.map((d) => d.result), ['permerror']);
    assert.equal(c.outcome.header.policy.sp, null);
    assert.equal(c.outcome.header.format, 'draft');
    for (const code of ['disposition.case', 'policy_evaluated.spf.unknown', 'spf.result.alias', 'dkim.result.alias', 'record.identities', 'sp.empty', 'reason.type.empty']) {
      assert.ok(codes(c).includes(code), `issue ${code} in ${codes(c).join(',')}`);
    }
  });

  it('repairs stray "<" in text and a lost "<" on an end tag', () => {
    const c = collect(
      report({
        metadata: '<report_metadata><org_name>Reporter</org_name><email><bad@x.example></email><report_id>2025042100/report_id><date_range><begin>1763337600</begin><end>1763423999</end></date_range></report_metadata>',
      }),
    );
    assert.equal(c.outcome.header.email, '<bad@x.example>');
    assert.equal(c.outcome.header.reportId, '2025042100');
    assert.ok(codes(c).includes('xml.repaired.report_metadata'));
  });

  it('reads a CDATA section holding closing tags (issue 12 #12: "CDATA is not closed")', () => {
    const metadata =
      '<report_metadata><org_name><![CDATA[Acme </org_name></report_metadata> Inc]]></org_name><email>a@b.example</email><report_id>r-1</report_id><date_range><begin>1763337600</begin><end>1763423999</end></date_range></report_metadata>';
    for (const size of [1, 7, 64, 100_000]) {
      const c = collect(report({ metadata }), DEFAULT_LIMITS, size);
      assert.equal(c.outcome.header.orgName, 'Acme </org_name></report_metadata> Inc');
      assert.equal(c.outcome.header.reportId, 'r-1');
      assert.equal(c.records.length, 1);
    }
  });

  it('looks past comments and processing instructions holding closing tags', () => {
    const rec =
      '<record><!-- </record> --><row><?pi </record>?><source_ip>192.0.2.7</source_ip><count>2</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers><auth_results/></record>';
    for (const size of [1, 5, 100_000]) {
      const c = collect(report({ records: [rec] }), DEFAULT_LIMITS, size);
      assert.deepEqual(c.records.map((r) => [r.sourceIp, r.count]), [['192.0.2.7', 2]]);
      assert.ok(!codes(c).includes('xml.stray_end_tag'), codes(c).join(','));
    }
  });

  it('removes NUL and other control characters from text fields, with an issue (issue 12 #13)', () => {
    const metadata =
      '<report_metadata><org_name>Ac\u0000me\u0001</org_name><email>a@b.example</email><report_id>r-\u001f1</report_id><date_range><begin>1763337600</begin><end>1763423999</end></date_range></report_metadata>';
    const rec =
      '<record><row><source_ip>192.0.2.1</source_ip><count>1</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf><reason><type>other</type><comment>a\u0085b\u007f c</comment></reason></policy_evaluated></row><identifiers><header_from>exa\u0000mple.com</header_from></identifiers><auth_results><dkim><domain>example.com</domain><selector>s\u00001</selector><result>pass</result><human_result>line 1\nline 2\ttab</human_result></dkim></auth_results></record>';
    const c = collect(report({ metadata, records: [rec] }));
    assert.equal(c.outcome.header.orgName, 'Acme');
    assert.equal(c.outcome.header.reportId, 'r-1');
    const r = c.records[0]!;
    assert.equal(r.headerFrom, 'example.com');
    assert.equal(r.dkim[0]?.selector, 's1');
    assert.equal(r.dkim[0]?.humanResult, 'line 1\nline 2\ttab', 'tab and newline are text, not control characters to remove');
    assert.equal(r.reasons[0]?.comment, 'ab c');
    const issue = c.outcome.issues.find((i) => i.code === 'text.control_chars');
    assert.ok(issue !== undefined, codes(c).join(','));
    assert.equal(issue.count, 5, 'one per field value changed: org_name, report_id, comment, header_from, selector');
    assert.match(issue.message, /org_name/);
  });

  it('flags counts above 2^32 - 1 and dates after 2100, keeping them as written (issue 12 #13)', () => {
    const rec = (ip: string, count: string) =>
      `<record><row><source_ip>${ip}</source_ip><count>${count}</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers></record>`;
    const metadata =
      '<report_metadata><org_name>R</org_name><email>a@b.example</email><report_id>r-1</report_id><date_range><begin>4354819200</begin><end>4354905599</end></date_range></report_metadata>';
    const c = collect(report({ metadata, records: [rec('192.0.2.1', '4294967296'), rec('192.0.2.2', '4294967295')] }));
    assert.deepEqual(c.records.map((r) => r.count), [4_294_967_296, 4_294_967_295]);
    assert.deepEqual([c.outcome.header.begin, c.outcome.header.end], [4_354_819_200, 4_354_905_599]);
    assert.equal(c.outcome.issues.find((i) => i.code === 'record.count_implausible')?.count, 1);
    assert.ok(codes(c).includes('date_range.far_future'), codes(c).join(','));
    // The bounds themselves are not odd.
    const plain = collect(report({ records: [rec('192.0.2.2', '4294967295')] }));
    assert.ok(!codes(plain).includes('record.count_implausible') && !codes(plain).includes('date_range.far_future'), codes(plain).join(','));
  });

  it('never expands entities: a billion-laughs DOCTYPE and an external entity stay inert', () => {
    const prolog = '<?xml version="1.0"?><!DOCTYPE feedback [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY xxe SYSTEM "file:///etc/passwd">]>';
    const c = collect(report({ prolog, metadata: '<report_metadata><org_name>&c;&xxe;</org_name><email>a@b.example</email><report_id>x &amp; y &#x41;</report_id><date_range><begin>1763337600</begin><end>1763423999</end></date_range></report_metadata>' }));
    assert.equal(c.outcome.header.orgName, '&c;&xxe;');
    assert.equal(c.outcome.header.reportId, 'x & y A');
    assert.ok(codes(c).includes('xml.doctype_ignored'));
  });

  it('holds records that come before the metadata and still yields the header first', () => {
    const xml = report().replace(/(<report_metadata>[\s\S]*<\/policy_published>)\n(<record>[\s\S]*<\/record>)/, '$2\n$1');
    const c = collect(xml);
    assert.equal(c.headerAt, 0);
    assert.equal(c.records.length, 1);
  });

  it('rejects what cannot be invented, naming the element', () => {
    const cases: [string, RegExp][] = [
      [report({ policy: '<policy_published><p>none</p></policy_published>' }), /policy_published\/domain/],
      [report({ metadata: '<report_metadata><org_name>R</org_name><email>a@b</email><date_range><begin>1</begin><end>2</end></date_range></report_metadata>' }), /report_id/],
      [report({ metadata: '<report_metadata><org_name>R</org_name><report_id>1</report_id><date_range><begin>x</begin><end>2</end></date_range></report_metadata>' }), /date_range\/begin/],
      [report({ metadata: '<report_metadata><org_name/><report_id>1</report_id><date_range><begin>1</begin><end>2</end></date_range></report_metadata>' }), /org_name/],
      [report({ records: ['<record><row><count>1</count></row></record>'] }), /no usable <record>/],
      ['', /empty/],
      ['<html><body>hello</body></html>', /no <feedback> root/],
    ];
    for (const [xml, reason] of cases) {
      assert.throws(() => collect(xml), (e: unknown) => e instanceof ReportRejectedError && reason.test(e.message), String(reason));
    }
  });

  it('keeps the records of a truncated document and says so', () => {
    const full = report({ records: [report().match(/<record>[\s\S]*<\/record>/)![0], '<record><row><source_ip>192.0.2.2</source_ip><count>1</count>'] });
    const c = collect(full.replace('</feedback>', ''));
    assert.equal(c.records.length, 1);
    assert.ok(codes(c).includes('xml.truncated'));
  });

  it('reads decimal timestamps, derives an empty org_name from the email, swaps an inverted range', () => {
    const c = collect(report({ metadata: '<report_metadata><org_name/><email>noreply@Reporter.example</email><report_id>&lt;id@x&gt;</report_id><date_range><begin>1763423999.0</begin><end>1763337600</end></date_range></report_metadata>' }));
    assert.equal(c.outcome.header.orgName, 'Reporter.example');
    assert.equal(c.outcome.header.reportId, 'id@x');
    assert.equal(c.outcome.header.reportIdRaw, '<id@x>');
    assert.equal(c.outcome.header.begin, 1763337600);
    assert.equal(c.outcome.header.end, 1763423999);
    assert.deepEqual(codes(c).sort(), ['date_range.decimal', 'date_range.inverted', 'org_name.derived']);
  });

  it('enforces the caps with errors that name the setting', () => {
    const many = Array.from({ length: 5 }, () => report().match(/<record>[\s\S]*<\/record>/)![0]);
    assert.throws(() => collect(report({ records: many }), { ...DEFAULT_LIMITS, maxRecordsPerReport: 4 }), (e: unknown) => e instanceof LimitExceededError && /max_records_per_report/.test(e.message));
    assert.throws(() => collect(report({ records: ['<record>' + 'x'.repeat(5000) + '</record>'] }), { ...DEFAULT_LIMITS, maxSectionBytes: 1000 }, 100), (e: unknown) => e instanceof LimitExceededError && /max_section_bytes/.test(e.message));
    const deep = '<record><row><source_ip>192.0.2.1</source_ip><count>1</count></row>' + '<x>'.repeat(100) + '</x>'.repeat(100) + '</record>';
    assert.throws(
      () => collect(report({ records: [deep] }), { ...DEFAULT_LIMITS, maxXmlDepth: 32 }),
      (e: unknown) => e instanceof LimitExceededError && /max_xml_depth/.test(e.message),
    );
  });
});
