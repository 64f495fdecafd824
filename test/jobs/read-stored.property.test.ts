/**
 * Issue 12 #1, as a property: whatever report the parser accepts, every reader of the store takes
 * what was stored. Random and mutated reports (real samples with elements removed, values
 * replaced or records duplicated, and reports generated with every element optional) are
 * ingested by the ingest job into a real SQLite file; then summary (every format, several
 * periods), sources, reports and the run overview read that database. A reader may refuse with
 * one of our typed errors (RuaflowError, which the command line turns into a message and an exit
 * code); anything else would reach the user as "unexpected error". Over a database the ingest
 * job wrote, the readers here must not refuse at all (see `reads`).
 *
 * `check` is not here: it reads DNS and the configuration, never the store.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { ingestDeps, liveSummaryDeps, openApp } from '../../src/app/deps.js';
import { loadConfig } from '../../src/app/config.js';
import { loadSigningIdentities } from '../../src/app/signing-keys.js';
import { createPtrNames } from '../../src/analyze/ptr-names.js';
import { renderSources, sourcesJson } from '../../src/deliver/sources-text.js';
import { renderOverview } from '../../src/deliver/overview-text.js';
import { RuaflowError } from '../../src/errors.js';
import { classifyStored } from '../../src/jobs/classify-stored.js';
import { ingestFiles } from '../../src/jobs/ingest.js';
import { liveSummary } from '../../src/jobs/summary.js';
import { createLogger } from '../../src/platform/logger.js';
import { parsePeriod, type Period } from '../../src/report/period.js';
import { PtrCache } from '../../src/store/ptr-cache.js';
import { domainOverview, listReports } from '../../src/store/report-list.js';
import { listSources } from '../../src/store/source-list.js';
import { reportJson } from '../../src/cli/reports-output.js';
import { SUMMARY_RENDERERS } from '../../src/cli/summary-output.js';

const dir = mkdtempSync(join(tmpdir(), 'ruaflow-read-any-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const DOMAINS = ['example.com', 'example.net'];
const configPath = join(dir, 'ruaflow.toml');
writeFileSync(
  configPath,
  `[[domains]]\nname = "example.com"\nrelays = ["192.0.2.10", "2001:db8::/48"]\nservices = [{ name = "SendGrid", ptr = ["sendgrid.net"] }]\n\n[[domains]]\nname = "example.net"\n`,
);
const config = await loadConfig({ configPath, env: {}, cwd: dir });
const quiet = createLogger({ quiet: true, stream: { write: () => true } as unknown as NodeJS.WritableStream });

const samplesDir = new URL('../fixtures/samples/aggregate/parsedmarc/', import.meta.url);
const samples = readdirSync(samplesDir)
  .filter((n) => n.endsWith('.xml'))
  .map((n) => readFileSync(new URL(n, samplesDir), 'utf8'))
  .filter((t) => t.includes('<record>') && t.length < 40_000);

// ---- generators -----------------------------------------------------------------------------

/** Values seen in the wild or at the edges, for any element's text. */
const oddValue = fc.constantFrom(
  '', ' ', 'pass', 'PASS', 'Pass', 'fail', 'none', 'reject', 'quarantine', 'softfail', 'hardfail', 'temperror', 'unknown',
  '0', '1', '-1', '4294967296', '9007199254740993', '1e3', '0x10', 'NaN',
  '192.0.2.10', '198.51.100.7', '2001:db8::1', '::ffff:192.0.2.10', '999.1.1.1', 'not-an-ip', 'mail.example.com',
  'example.com', 'EXAMPLE.COM.', 'sub.example.net', 'example.org', 'é漢', '&amp;', '<![CDATA[x]]>',
);
/** Time stamps: around the fixed "now" below, far in the past and future, and nonsense. */
const NOW = 1_796_083_200; // 2026-12-01 00:00 UTC
const stamp = fc.oneof(
  fc.integer({ min: NOW - 60 * 86_400, max: NOW + 86_400 }).map(String),
  fc.constantFrom('0', '1', '4102444800', '4294967296', '-86400', '', 'yesterday', '1795392000.5'),
);
const el = (name: string, inner: fc.Arbitrary<string>): fc.Arbitrary<string> => inner.map((t) => `<${name}>${t}</${name}>`);
const maybe = (arb: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.option(arb, { nil: '', freq: 3 });
const word = (...words: string[]): fc.Arbitrary<string> => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...words) }, { weight: 1, arbitrary: oddValue });

const generatedRecord = fc
  .tuple(
    maybe(el('source_ip', word('192.0.2.10', '198.51.100.7', '203.0.113.9', '2001:db8::25'))),
    maybe(el('count', fc.oneof(fc.nat({ max: 500 }).map(String), oddValue))),
    maybe(
      fc
        .tuple(maybe(el('disposition', word('none', 'quarantine', 'reject', 'pass'))), maybe(el('dkim', word('pass', 'fail'))), maybe(el('spf', word('pass', 'fail'))))
        .map((parts) => `<policy_evaluated>${parts.join('')}</policy_evaluated>`),
    ),
    maybe(el('header_from', word(...DOMAINS))),
    fc.array(
      fc.tuple(maybe(el('domain', word(...DOMAINS, 'sendgrid.net'))), maybe(el('selector', word('s1', 'sel'))), maybe(el('result', word('pass', 'fail', 'none')))).map((p) => `<dkim>${p.join('')}</dkim>`),
      { maxLength: 2 },
    ),
    fc.array(
      fc.tuple(maybe(el('domain', word(...DOMAINS))), maybe(el('scope', word('mfrom', 'helo'))), maybe(el('result', word('pass', 'fail', 'softfail')))).map((p) => `<spf>${p.join('')}</spf>`),
      { maxLength: 2 },
    ),
  )
  .map(([ip, count, evaluated, from, dkim, spf]) => `<record><row>${ip}${count}${evaluated}</row><identifiers>${from}</identifiers><auth_results>${dkim.join('')}${spf.join('')}</auth_results></record>`);

const generatedReport = fc
  .tuple(
    maybe(el('org_name', word('google.com', 'AOL', 'Yahoo'))),
    el('report_id', fc.stringMatching(/^[a-z0-9]{1,12}$/)),
    fc.tuple(maybe(el('begin', stamp)), maybe(el('end', stamp))).map(([b, e]) => `<date_range>${b}${e}</date_range>`),
    fc
      .tuple(el('domain', word(...DOMAINS)), maybe(el('p', word('none', 'quarantine', 'reject'))), maybe(el('sp', word('none', 'reject'))), maybe(el('pct', word('100', '0', '50'))))
      .map((parts) => `<policy_published>${parts.join('')}</policy_published>`),
    fc.array(generatedRecord, { maxLength: 6 }),
  )
  .map(
    ([org, id, range, policy, records]) =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<feedback><report_metadata>${org}<email>r@example.org</email>${id}${range}</report_metadata>${policy}${records.join('')}</feedback>`,
  );

/** Elements a mutation may remove or give an odd value (wherever they occur). */
const ELEMENTS = [
  'policy_evaluated', 'disposition', 'dkim', 'spf', 'reason', 'auth_results', 'identifiers', 'header_from', 'envelope_from',
  'source_ip', 'count', 'row', 'result', 'domain', 'scope', 'selector', 'p', 'sp', 'pct', 'adkim', 'aspf', 'org_name', 'begin', 'end',
] as const;
type Mutation = { kind: 'drop' | 'value'; name: string; nth: number; value: string } | { kind: 'duplicate-record'; nth: number };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), name: fc.constantFrom(...ELEMENTS), nth: fc.nat({ max: 6 }), value: fc.constant('') }),
  fc.record({ kind: fc.constant('value' as const), name: fc.constantFrom(...ELEMENTS), nth: fc.nat({ max: 6 }), value: fc.oneof(oddValue, stamp) }),
  fc.record({ kind: fc.constant('duplicate-record' as const), nth: fc.nat({ max: 6 }) }),
);

/** The nth occurrence (modulo how many there are) of <name>…</name>, innermost-free for the
 * elements above (none of them nests in itself). */
function mutate(xml: string, m: Mutation): string {
  const name = m.kind === 'duplicate-record' ? 'record' : m.name;
  const re = new RegExp(`<${name}(?:\\s[^>]*)?>[\\s\\S]*?</${name}>`, 'g');
  const hits = [...xml.matchAll(re)];
  if (hits.length === 0) return xml;
  const hit = hits[m.nth % hits.length]!;
  const at = hit.index;
  const whole = hit[0];
  const replacement = m.kind === 'drop' ? '' : m.kind === 'duplicate-record' ? whole + whole : `<${name}>${m.value}</${name}>`;
  return xml.slice(0, at) + replacement + xml.slice(at + whole.length);
}

/** A real sample moved to the policy domains above and near "now" (so that periods catch it),
 * then mutated. */
const mutatedSample = fc
  .tuple(fc.constantFrom(...samples), fc.constantFrom(...DOMAINS), fc.integer({ min: 1, max: 40 }), fc.array(mutation, { minLength: 1, maxLength: 6 }))
  .map(([sample, domain, daysAgo, mutations]) => {
    const begin = NOW - daysAgo * 86_400;
    let xml = sample
      .replace(/(<policy_published>\s*<domain>)[^<]*/, `$1${domain}`)
      .replace(/<begin>[^<]*<\/begin>/, `<begin>${begin}</begin>`)
      .replace(/<end>[^<]*<\/end>/, `<end>${begin + 86_399}</end>`);
    for (const m of mutations) xml = mutate(xml, m);
    return xml;
  });

const reportSet = fc.array(fc.oneof(mutatedSample, generatedReport), { minLength: 1, maxLength: 4 });

// ---- the readers ----------------------------------------------------------------------------

const PERIODS = ['last-week', '30d', '2026-10-01..2026-12-31', '1970-01-01..1970-01-02', 'all'];

/**
 * Runs `read`. The issue asks for typed errors only (RuaflowError: the command line turns them
 * into one line and an exit code; anything else is "unexpected error"). Over a healthy database
 * that the ingest job wrote, a reader has no reason to refuse at all, so this asks for more: no
 * error whatever, typed or not (a DatabaseError "source id 0 has no address" would otherwise
 * pass unseen). The failure message says which kind it was.
 */
async function reads(what: string, read: () => unknown): Promise<void> {
  try {
    await read();
  } catch (error) {
    const kind = error instanceof RuaflowError ? `typed ${error.name}` : 'UNTYPED (would be "unexpected error")';
    assert.fail(`${what}: ${kind}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}

let run = 0;
/** Reports and records stored over all runs: the property is only worth something if most
 * generated inputs reach the store. */
const stored = { reports: 0, records: 0, withoutEvaluation: 0 };
async function readEverything(xmls: readonly string[]): Promise<void> {
  run += 1;
  const here = join(dir, `run-${run}`);
  mkdirSync(here);
  xmls.forEach((xml, i) => writeFileSync(join(here, `report-${i}.xml`), xml));
  const app = openApp(config, join(here, 'r.sqlite'));
  const clock = { now: () => NOW };
  try {
    await ingestFiles(ingestDeps({ ...app, clock }, quiet), [here]);
    const counts = app.db
      .prepare("SELECT (SELECT COUNT(*) FROM reports) AS reports, COUNT(*) AS records, SUM(dkim_aligned IS NULL OR spf_aligned IS NULL) AS bare FROM records")
      .get() as { reports: number; records: number; bare: number | null };
    stored.reports += counts.reports;
    stored.records += counts.records;
    stored.withoutEvaluation += counts.bare ?? 0;
    for (const label of PERIODS) {
      const parsed = parsePeriod(label, NOW);
      assert.ok(parsed.ok);
      const period: Period | null = parsed.period;
      await reads(`summary --period ${label}`, async () => {
        const summary = await liveSummary(
          { ...liveSummaryDeps({ db: app.db, config, clock }, true) },
          { period, domains: null, now: NOW },
        );
        for (const [format, render] of Object.entries(SUMMARY_RENDERERS)) {
          const out = render(summary);
          assert.equal(typeof out, 'string', format);
          if (format === 'json') JSON.parse(out);
        }
      });
    }
    await reads('sources', async () => {
      const names = createPtrNames({ cache: new PtrCache(app.db), resolver: null, clock, timeoutMs: 100 });
      await classifyStored(app.db, config, { keys: loadSigningIdentities(config), names, clock }, { domains: DOMAINS });
      for (const domain of DOMAINS) {
        for (const label of [null, 'last-week']) {
          const parsed = label === null ? null : parsePeriod(label, NOW);
          const period = parsed !== null && parsed.ok ? parsed.period : null;
          const listed = listSources(app.db, domain, period);
          const view = { period, domain: listed, names: await names.namesFor(listed.sources.map((s) => s.ip)) };
          renderSources(view);
          JSON.stringify(sourcesJson(view));
        }
      }
    });
    await reads('reports', () => JSON.stringify(listReports(app.db, {}).map(reportJson)));
    await reads('run overview', () => renderOverview(domainOverview(app.db)));
  } finally {
    app.close();
    rmSync(here, { recursive: true, force: true });
  }
}

describe('every reader takes every stored record shape', () => {
  it('the records of issue 12 #1 (no policy_evaluated), as a fixed case', async () => {
    const xml = readFileSync(new URL('../fixtures/summary-no-evaluation/aol-2026-11-24-no-policy-evaluated.xml', import.meta.url), 'utf8');
    await readEverything([xml]);
  });

  it('random and mutated reports the parser accepts: every reader reads them, no error (typed or not)', async () => {
    assert.ok(samples.length >= 10, 'the parsedmarc samples are there');
    await fc.assert(fc.asyncProperty(reportSet, readEverything), { numRuns: 80 });
    assert.ok(stored.reports >= 60, `only ${stored.reports} reports stored`);
    assert.ok(stored.withoutEvaluation >= 10, `only ${stored.withoutEvaluation} records without alignment stored`);
  });
});
