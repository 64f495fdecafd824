/**
 * The ingest, run and reports jobs called directly, on real SQLite files in temp folders: every
 * sample counted (new, duplicate, invalid, not aggregate), an mbox file message by message, the
 * demo inbox, and what is listed afterwards.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/app/config.js';
import { ingestDeps, openApp, type AppDeps } from '../../src/app/deps.js';
import { reportJson } from '../../src/cli/reports-output.js';
import { ingestFiles } from '../../src/jobs/ingest.js';
import { storedReports } from '../../src/jobs/reports.js';
import { DEMO_INBOX, runInbox } from '../../src/jobs/run.js';
import { silentLogger } from '../../src/ports/logger.js';

const SAMPLES = fileURLToPath(new URL('../fixtures/samples/aggregate/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ruaflow-ingest-job-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An open database with no configuration, as `ruaflow ingest --db FILE` in an empty folder. */
async function withApp<T>(name: string, body: (app: AppDeps) => Promise<T>): Promise<T> {
  const app = openApp(await loadConfig({ configPath: undefined, env: {}, cwd: dir }), join(dir, name));
  try {
    return await body(app);
  } finally {
    app.close();
  }
}

describe('ingestFiles', () => {
  it('every sample: new, invalid and not-aggregate counted; nothing stored twice; reports listed', async () => {
    await withApp('samples.sqlite', async (app) => {
      const totals = await ingestFiles(ingestDeps(app, silentLogger), [SAMPLES]);
      assert.equal(totals.inputs, 42);
      assert.equal(totals.notAggregate, 6);
      assert.equal(totals.invalid, totals.invalidInputs.length);
      assert.deepEqual(totals.invalidInputs.map((i) => i.path.split('/').pop()).sort(), [
        'Report_Domain_ngyn.org_Submitter_amazon.com_Report-ID_aggr_report_ngyn.org_20210607-ignored.eml',
        'Report_Domain_ngyn.org_Submitter_yahoo.com_Report-ID_1436111091.916236-ignored.eml',
        'empty.xml',
      ]);
      for (const i of totals.invalidInputs) assert.ok(i.reason.length > 10 && !i.reason.includes('\n'), i.reason);
      // Several samples carry the same report (nice-input as xml, gz and zip; veeam and its broken twin).
      assert.equal(totals.new + totals.duplicate, 33);
      assert.ok(totals.new >= 25 && totals.duplicate >= 4, JSON.stringify(totals));

      const again = await ingestFiles(ingestDeps(app, silentLogger), [SAMPLES]);
      assert.equal(again.new, 0, 'nothing is stored twice');
      assert.equal(again.duplicate, totals.new + totals.duplicate);

      const reports = storedReports(app.db, {});
      assert.equal(reports.length, totals.new);
      const nice = reports.find((r) => r.orgName === 'google.com' && r.reportId === '11038226378739404135');
      assert.deepEqual(nice && { records: nice.records, messages: nice.messages, policyDomain: nice.policyDomain, format: nice.format }, {
        records: 20,
        messages: 3047,
        policyDomain: 'example.com',
        format: 'rfc7489',
      });
      for (const r of reports.map(reportJson)) {
        for (const key of ['org_name', 'report_id', 'policy_domain', 'begin', 'end', 'records', 'messages', 'format', 'issues']) assert.ok(key in r, `${key} in reports --json`);
      }
      assert.deepEqual(storedReports(app.db, { domain: 'example.com' }).map((r) => r.policyDomain), reports.filter((r) => r.policyDomain === 'example.com').map(() => 'example.com'));
      const ledger = app.db.prepare('SELECT outcome, COUNT(*) n FROM inputs GROUP BY outcome ORDER BY outcome').all() as { outcome: string; n: number }[];
      assert.equal(Object.fromEntries(ledger.map((r) => [r.outcome, r.n]))['not_aggregate'], 6);
    });
  });

  it('ingests an mbox file message by message', async () => {
    const mbox = join(dir, 'reports.mbox');
    const eml = (name: string) => readFileSync(join(SAMPLES, name), 'latin1').replace(/\r\n/g, '\n').replace(/^From /gm, '>From ');
    writeFileSync(
      mbox,
      ['parsedmarc/twilight.eml', 'parsedmarc/mimecast-weird-gzip.eml', 'not-aggregate/google.com_smtp_tls_report.eml']
        .map((n) => `From dmarc@example.net Sat Nov 21 10:00:00 2026\n${eml(n)}\n`)
        .join('\n'),
      'latin1',
    );
    await withApp('mbox.sqlite', async (app) => {
      const totals = await ingestFiles(ingestDeps(app, silentLogger), [mbox]);
      assert.deepEqual([totals.inputs, totals.new, totals.notAggregate], [3, 2, 1]);
    });
  });

  it('counts the inputs first for a progress display, and closes it', async () => {
    const seen: number[] = [];
    let done = 0;
    await withApp('progress.sqlite', async (app) => {
      await ingestFiles(ingestDeps(app, silentLogger), [join(SAMPLES, 'parsedmarc/nice-input.xml.gz'), join(SAMPLES, 'parsedmarc/twilight.eml')], {
        progressFor: (inputs) => {
          seen.push(inputs);
          return { tick: () => undefined, clear: () => undefined, done: () => void done++ };
        },
      });
    });
    assert.deepEqual([seen, done], [[2], 1]);
  });
});

describe('runInbox', () => {
  it('ingests the demo inbox by default and gives the overview per domain; again, all duplicates', async () => {
    await withApp('demo.sqlite', async (app) => {
      const first = await runInbox(ingestDeps(app, silentLogger), {});
      assert.equal(first.inbox, DEMO_INBOX);
      assert.ok(first.totals.new > 0 && first.totals.invalid === 0, JSON.stringify(first.totals));
      assert.ok(first.overview.some((d) => d.domain === 'example.com'), JSON.stringify(first.overview));
      const again = await runInbox(ingestDeps(app, silentLogger), { inbox: DEMO_INBOX });
      assert.equal(again.totals.new, 0);
      assert.equal(again.totals.duplicate, first.totals.new + first.totals.duplicate);
      assert.deepEqual(again.overview, first.overview);
    });
  });
});
