/**
 * The summary jobs called directly: the fixture reports (test/fixtures/summary/) ingested by the
 * ingest job into a real SQLite file, summarised by liveSummary, numbers checked against
 * arithmetic done by hand below; DNS-dependent parts (PTR names, our published policy) against
 * the loopback DNS server; mailSummary against a real SMTP server.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/app/config.js';
import { ingestDeps, liveSummaryDeps, mailSummaryDeps, openApp } from '../../src/app/deps.js';
import { parseSummaryPeriod } from '../../src/report/period.js';
import type { Summary } from '../../src/analyze/summary/types.js';
import { renderSummaryCsv } from '../../src/deliver/summary-csv.js';
import { renderSummaryHtml } from '../../src/deliver/summary-html.js';
import { renderSummaryJson } from '../../src/deliver/summary-json.js';
import { renderSummaryMarkdown } from '../../src/deliver/summary-markdown.js';
import { renderSummaryText } from '../../src/deliver/summary-text.js';
import { ingestFiles } from '../../src/jobs/ingest.js';
import type { IngestTotals } from '../../src/jobs/ingest-paths.js';
import { liveSummary } from '../../src/jobs/summary.js';
import { mailSummary } from '../../src/jobs/summary-mail.js';
import { silentLogger } from '../../src/ports/logger.js';
import type { DnsServer } from '../helpers/dns-server.js';
import { startSmtpServer } from '../helpers/smtp-server.js';
import { startSummaryDns, summaryToml } from '../helpers/summary-dns.js';
import { summaryFolder } from '../helpers/summary-folder.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/summary/', import.meta.url));
const SUBDOMAINS = fileURLToPath(new URL('../fixtures/summary-subdomain/', import.meta.url));
const { dir, db, config } = summaryFolder('ruaflow-summary-job-');
const WEEK = '2026-11-23..2026-11-29';
let dns: DnsServer;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** Ingested as `ruaflow ingest` does it, with no configuration (an empty folder as cwd). */
async function ingest(dbPath: string, folder: string): Promise<IngestTotals> {
  const bare = join(dir, 'bare');
  mkdirSync(bare, { recursive: true });
  const app = openApp(await loadConfig({ configPath: undefined, env: {}, cwd: bare }), dbPath);
  try {
    return await ingestFiles(ingestDeps(app, silentLogger), [folder]);
  } finally {
    app.close();
  }
}

interface Ask {
  readonly period: string;
  readonly offline?: boolean;
  readonly domains?: string[];
}

/** liveSummary over `dbPath` with the configuration in `configPath`. */
async function build(dbPath: string, configPath: string, ask: Ask): Promise<Summary> {
  const app = openApp(await loadConfig({ configPath, env: {}, cwd: dir }), dbPath);
  try {
    const now = Math.floor(Date.now() / 1000);
    return await liveSummary(liveSummaryDeps(app, ask.offline === true), { period: parseSummaryPeriod(ask.period, now), domains: ask.domains ?? null, now });
  } finally {
    app.close();
  }
}

const summaryOf = (ask: Ask): Promise<Summary> => build(db, config, ask);
const summaryJson = async (ask: Ask): Promise<Json> => JSON.parse(renderSummaryJson(await summaryOf(ask)));

before(async () => {
  dns = await startSummaryDns();
  writeFileSync(config, summaryToml(dns.server));
  assert.equal((await ingest(db, FIXTURES)).new, 7);
});
after(async () => {
  await dns.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('liveSummary: totals by hand', () => {
  it('sums the week, splitting the three-day report into daily buckets (--offline)', async () => {
    const out = await summaryJson({ period: WEEK, offline: true });
    // Period 2026-11-23 00:00 .. 2026-11-29 23:59:59 UTC.
    assert.deepEqual(out.period, { begin: 1795392000, end: 1795996799, label: WEEK });
    assert.deepEqual(out.domains.map((d: Json) => d.domain), ['example.com', 'example.org']);
    const com = out.domains[0];
    // google 11-23:       100 (relay, pass) + 40 (198.51.100.5, fail) + 10 (203.0.113.7, DKIM only) = 150
    // microsoft 11-28..30 (three days; 11-28 and 11-29 are in the period):
    //   192.0.2.10:   90 → 30 + 30 + 30, in period 60
    //   198.51.100.5: 10 → 3.33 a day → largest remainder 4 + 3 + 3, in period 4 + 3 = 7 (quarantine)
    // fastmail 11-25 00:00 .. 11-26 00:00 (end on midnight, read as one day): 7
    // messages = 150 + 60 + 7 + 7 = 224
    assert.equal(com.messages, 224);
    // DMARC pass = 100 + 10 + 60 + 7 = 177; fail = 40 + 7 = 47
    assert.equal(com.dmarc_pass, 177);
    assert.equal(com.dmarc_fail, 47);
    // aligned DKIM = 100 + 10 + 60 + 7 = 177; aligned SPF = 100 + 60 + 7 = 167
    assert.equal(com.dkim_aligned_pass, 177);
    assert.equal(com.spf_aligned_pass, 167);
    // quarantine: the 7 bucketed Microsoft messages; none: 224 - 7
    assert.deepEqual(com.disposition, { none: 217, quarantine: 7, reject: 0 });
    // previous week: google 11-16 80 + 20, yahoo 11-17 5 → 105, all passing
    assert.equal(com.previous.messages, 105);
    assert.equal(com.previous.dmarc_pass, 105);
    assert.deepEqual(
      com.sources.map((s: Json) => [s.ip, s.messages, s.dmarc_pass, s.new]),
      [
        ['192.0.2.10', 167, 167, false], // 100 + 60 + 7
        ['198.51.100.5', 47, 0, true], // 40 + 7; not in the previous week
        ['203.0.113.7', 10, 10, false],
      ],
    );
    assert.deepEqual(com.sources[0].class, 'ours-pass');
    assert.equal(com.sources[1].class, 'spoof', 'an unknown source failing DMARC (stored class, src/jobs/classify-stored.ts)');
    // Microsoft's report total (100) bucketed the same way: 34 + 33 in the period.
    assert.deepEqual(com.reporters, [
      { org_name: 'google.com', reports: 1, messages: 150 },
      { org_name: 'Microsoft', reports: 1, messages: 67 },
      { org_name: 'fastmail.com', reports: 1, messages: 7 },
    ]);
    // Yahoo reported in two of the four previous weeks (11-10, 11-17) and not this one.
    assert.deepEqual(com.silent_reporters, [{ org_name: 'Yahoo', periods_seen: 2, periods_looked_at: 4 }]);
    assert.deepEqual(com.policy.published, {
      p: 'none', sp: null, np: null, pct: 100, testing: null, source: 'reports', record_domain: 'example.com', applies: 'p', policy: 'none',
    });
    assert.deepEqual(com.policy.seen, [{ p: 'none', sp: null, np: null, pct: 100, testing: null, reports: 3, messages: 224 + 33 }]);
    // 47 failing messages, no known forwarder among them.
    // 47 failing messages, no known forwarder among them: all from the forger, classed spoof, so
    // enforcement would stop them and hurt no legitimate mail (issue 12 #16).
    assert.deepEqual(com.readiness, {
      messages: 224, hurt_by_quarantine: 47, hurt_by_reject: 47, forwarded_excluded: 0,
      spoofing_stopped: 47, legitimate_hurt: 0, legitimate_hurt_by: { ours: 0, services: 0, forwarded: 0 }, unclassified_failing: 0,
    });

    const org = out.domains[1];
    assert.deepEqual([org.messages, org.dmarc_pass, org.disposition.reject], [3, 0, 3]);
  });

  it('the day after the period gets the rest of the three-day report', async () => {
    const out = await summaryJson({ period: '2026-11-30..2026-11-30', offline: true, domains: ['example.com'] });
    const com = out.domains[0];
    // 192.0.2.10: 30; 198.51.100.5: 3 → 33; with the week's 60 + 7 that is all 100 of the report.
    assert.equal(com.messages, 33);
    assert.deepEqual(com.sources.map((s: Json) => [s.ip, s.messages]), [['192.0.2.10', 30], ['198.51.100.5', 3]]);
    assert.equal(out.domains.length, 1);
  });

  it('names sources by forward-confirmed PTR and our services, and reads our policy from DNS', async () => {
    const out = await summaryJson({ period: WEEK, domains: ['example.com'] });
    const com = out.domains[0];
    const by = new Map<string, Json>(com.sources.map((s: Json) => [s.ip, s]));
    assert.deepEqual([by.get('192.0.2.10').ptr, by.get('192.0.2.10').name], ['mail.example.com', 'example.com']);
    assert.deepEqual([by.get('203.0.113.7').ptr, by.get('203.0.113.7').name, by.get('203.0.113.7').class], ['o1.ptr4242.sendgrid.net', 'SendGrid', 'service-pass']);
    assert.deepEqual([by.get('198.51.100.5').ptr, by.get('198.51.100.5').name], [null, null], 'the PTR name does not resolve back');
    assert.deepEqual(com.organisations.map((o: Json) => [o.name, o.kind, o.messages]), [
      ['example.com', 'domain', 167],
      ['198.51.100.5', 'ip', 47],
      ['SendGrid', 'service', 10],
    ]);
    assert.deepEqual(com.policy.published, {
      p: 'quarantine', sp: null, np: null, pct: null, testing: null, source: 'dns', record_domain: 'example.com', applies: 'p', policy: 'quarantine',
    });
  });
});

describe('liveSummary: a subdomain under its organisational domain\'s record', () => {
  // Its own database and configuration: two subdomains of example.net, neither with a _dmarc
  // record; example.net publishes p=reject; sp=none; np=reject (test/fixtures/summary-subdomain/).
  const subDb = join(dir, 'sub.sqlite');
  const subConfig = join(dir, 'sub.toml');
  const run = (options: { offline?: boolean; domains?: string[] } = {}) => build(subDb, subConfig, { period: WEEK, ...options });
  before(async () => {
    dns.set('_dmarc.example.net', { TXT: ['v=DMARC1; p=reject; sp=none; np=reject; rua=mailto:dmarc@example.net'] });
    dns.set('news.example.net', { A: ['192.0.2.30'] });
    writeFileSync(subConfig, `[dns]\nservers = ["${dns.server}"]\ntimeout_ms = 2000\n`);
    assert.equal((await ingest(subDb, SUBDOMAINS)).new, 2);
  });

  it('holds each against the record that applies: sp= for one that exists, np= for one that does not (RFC 9989 §4.10.1)', async () => {
    const before = dns.queries.length;
    const [gone, news] = JSON.parse(renderSummaryJson(await run())).domains;
    assert.equal(news.domain, 'news.example.net');
    assert.deepEqual(news.policy.published, {
      p: 'reject', sp: 'none', np: 'reject', pct: null, testing: null, source: 'dns', record_domain: 'example.net', applies: 'sp', policy: 'none',
    });
    assert.equal(gone.domain, 'gone.example.net');
    assert.deepEqual(
      [gone.policy.published.record_domain, gone.policy.published.applies, gone.policy.published.policy],
      ['example.net', 'np', 'reject'],
    );
    // The same discovery as ruaflow check: own name first, then the organisational domain, then
    // (np= being published) whether the subdomain exists.
    const asked = dns.queries.slice(before).map((q) => `${q.name} ${q.type}`);
    for (const q of ['_dmarc.news.example.net TXT', '_dmarc.example.net TXT', 'news.example.net A', 'gone.example.net A']) assert.ok(asked.includes(q), q);
  });

  it('says where the policy comes from, and the readiness line speaks of the tag that applies', async () => {
    const summary = await run();
    const r = { stdout: renderSummaryText(summary) };
    assert.match(r.stdout, /\n {2}policy published at example\.net \(organisational domain\): p=reject sp=none np=reject; sp=none applies to news\.example\.net\n/);
    // 5 of 25 failing: the subdomain is only monitored (sp=none), whatever p= says.
    // No [[domains]] here, so no classes: the plain share, and why.
    assert.match(r.stdout, /\n {2}readiness: sp=quarantine would send 20\.0% of mail \(5 msgs\) to spam; sp=reject would bounce it \(their sources are not classified: add the domain to \[\[domains\]\]\)\n/);
    assert.match(r.stdout, /; np=reject applies: gone\.example\.net does not exist in DNS\n/);
    assert.match(r.stdout, /readiness: at np=reject, 100\.0% of mail \(4 msgs\) fails DMARC/);
    assert.doesNotMatch(r.stdout, /differs from what we publish/, 'reporters saw the same record');
    const md = { stdout: renderSummaryMarkdown(summary) };
    assert.match(md.stdout, /- policy published at example\.net \(organisational domain\): `p=reject sp=none np=reject`; sp=none applies to news\.example\.net\n/);
    const html = { stdout: renderSummaryHtml(summary) };
    assert.match(html.stdout, /policy published at example\.net \(organisational domain\): <code>p=reject sp=none np=reject<\/code>; sp=none applies to news\.example\.net/);
  });

  it('offline, it is the policy reporters saw, at the domain itself', async () => {
    const published = JSON.parse(renderSummaryJson(await run({ offline: true, domains: ['news.example.net'] }))).domains[0].policy.published;
    assert.deepEqual([published.source, published.record_domain, published.applies, published.policy], ['reports', 'news.example.net', 'p', 'reject']);
  });
});

describe('summary renderers over liveSummary', () => {
  it('text says the numbers, the failing source, the silent reporter and the readiness', async () => {
    const r = { stdout: renderSummaryText(await summaryOf({ period: WEEK, offline: true })) };
    assert.match(r.stdout, /^DMARC summary 2026-11-23 \.\. 2026-11-29 \(UTC\)/);
    assert.match(r.stdout, /messages 224 \(\+113% on the previous period\)/); // (224 - 105) / 105 = 113 %
    assert.match(r.stdout, /DMARC pass 79\.0% \(−21\.0 points\), failing 47/); // 177 / 224 = 79.0 %, was 100 %
    assert.match(r.stdout, /198\.51\.100\.5: 47 of 47 failing DMARC, class spoof/);
    assert.match(r.stdout, /silent: Yahoo \(reported in 2 of the previous 4 periods\)/);
    // 47 / 224, all from the source classed spoof (issue 12 #16).
    assert.match(r.stdout, /readiness: p=quarantine or p=reject would stop 47 spoofed msgs \(21\.0% of mail\) and hurt no legitimate mail\n/);
  });

  it('markdown, csv and html carry the same numbers', async () => {
    const summary = await summaryOf({ period: WEEK, offline: true });
    const md = { stdout: renderSummaryMarkdown(summary) };
    assert.match(md.stdout, /^# DMARC summary/);
    assert.match(md.stdout, /\| messages \| 224 \(\+113%\) \|/);
    const csv = { stdout: renderSummaryCsv(summary) };
    const lines = csv.stdout.trimEnd().split('\r\n');
    assert.equal(lines[0], 'period_begin,period_end,domain,ip,ptr,organisation,messages,dmarc_pass,dmarc_fail,dkim_aligned_pass,spf_aligned_pass,none,quarantine,reject,new,class,fix');
    assert.equal(lines.length, 1 + 3 + 1, 'one row per domain × source');
    assert.equal(lines[2], '1795392000,1795996799,example.com,198.51.100.5,,,47,0,47,0,0,40,7,0,true,spoof,Nothing to fix at the source; publish p=quarantine or p=reject so receivers refuse it (now p=none).');
    const page = renderSummaryHtml(summary);
    assert.match(page, /^<!DOCTYPE html>/);
    assert.match(page, />224</);
    assert.match(page, />79\.0%</);
    assert.doesNotMatch(page, /<script|<img|<link|https?:\/\//i);
  });

});

describe('mailSummary', () => {
  it('mails the summary to [summary] to and each domain\'s summary_to; an empty one is skipped unless send_empty', async () => {
    const smtp = await startSmtpServer();
    try {
      const mailConfig = join(dir, 'mail.toml');
      const write = (sendEmpty: boolean) =>
        writeFileSync(
          mailConfig,
          `[smtp]\nhost = "127.0.0.1"\nport = ${smtp.port}\nsecure = false\nfrom = "dmarc@example.com"\n[summary]\nto = ["postmaster@example.com"]\nsend_empty = ${sendEmpty}\n` +
            `[[domains]]\nname = "example.com"\nsummary_to = ["web@example.com"]\n`,
        );
      write(false);
      const loaded = await loadConfig({ configPath: mailConfig, env: {}, cwd: dir });
      const now = Math.floor(Date.now() / 1000);
      const week = await build(db, mailConfig, { period: WEEK, offline: true });
      const sent = await mailSummary(week, mailSummaryDeps(loaded), now);
      assert.deepEqual(sent.map((r) => r.outcome.kind), ['sent', 'sent']);
      assert.deepEqual(smtp.messages.map((m) => m.to).sort(), [['postmaster@example.com'], ['web@example.com']]);
      assert.match(smtp.messages[0]?.raw.toString() ?? '', /224/);

      const empty = await build(db, mailConfig, { period: '2020-01-01..2020-01-07', offline: true });
      const skipped = await mailSummary(empty, mailSummaryDeps(loaded), now);
      assert.ok(skipped.length > 0 && skipped.every((r) => r.outcome.kind === 'skipped'), JSON.stringify(skipped));
      assert.equal(smtp.messages.length, 2);
      write(true);
      const heartbeat = await mailSummary(empty, mailSummaryDeps(await loadConfig({ configPath: mailConfig, env: {}, cwd: dir })), now);
      assert.ok(heartbeat.every((r) => r.outcome.kind === 'sent'), JSON.stringify(heartbeat));
      assert.equal(smtp.messages.length, 2 + heartbeat.length);
    } finally {
      await smtp.stop();
    }
  });
});
