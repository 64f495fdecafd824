/**
 * The send-reports job (sendReportsOnce, scheduledSendReports) called directly: a real SMTP
 * server, a real DNS server and a real SQLite file; what it builds is checked against the XSD.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/app/config.js';
import { openApp, scheduledSendReportsDeps, sendReportsDeps, type AppDeps } from '../../src/app/deps.js';
import { loadSigningKeys } from '../../src/app/signing-keys.js';
import { sendReportsJson } from '../../src/cli/send-reports-output.js';
import { LockedError } from '../../src/errors.js';
import { requireReporter, requireSigning, scheduledSendReports, sendLockPath, sendReportsOnce } from '../../src/jobs/send-reports-pass.js';
import { acquireLock } from '../../src/platform/lock.js';
import { silentLogger } from '../../src/ports/logger.js';
import { dayPeriod } from '../../src/report/period.js';
import { outboundFolder, startOutboundSetup, type OutboundRoot } from '../helpers/outbound-setup.js';
import { collect } from '../helpers/parse.js';
import { withSmtpServer } from '../helpers/smtp-server.js';

const XSD = fileURLToPath(new URL('../../schema/xsd/rua-dmarcbis.xsd', import.meta.url));
const YESTERDAY = dayPeriod(Math.floor(Date.now() / 1000) - 86_400);

let outbound: OutboundRoot;
before(async () => {
  outbound = await startOutboundSetup('ruaflow-send-job-', YESTERDAY.begin);
});
after(() => outbound.stop());

const setup = (smtpPort: number, domains: { name: string; rua?: string; count?: number }[]): string =>
  outboundFolder(outbound, smtpPort, domains);

async function withApp<T>(dir: string, body: (app: AppDeps) => Promise<T>): Promise<T> {
  const app = openApp(await loadConfig({ configPath: join(dir, 'ruaflow.toml'), env: {}, cwd: dir }), undefined);
  try {
    return await body(app);
  } finally {
    app.close();
  }
}

/** One real run, signed with our key, as `ruaflow send-reports` makes it. */
function sendOnce(app: AppDeps) {
  const reporter = requireReporter(app.config);
  const sign = requireSigning(app.config, reporter, loadSigningKeys(app.config));
  return sendReportsOnce(sendReportsDeps(app, silentLogger), reporter, { period: YESTERDAY, dryRun: false, sign });
}

describe('sendReportsOnce', () => {
  it('a dry run writes reports that validate against the XSD, sends nothing, records nothing', async () => {
    await withSmtpServer({}, async (smtp) => {
      const dir = setup(smtp.port, [{ name: 'a.example' }, { name: 'b.example', count: 3 }]);
      await withApp(dir, async (app) => {
        const outDir = join(dir, 'preview');
        const result = await sendReportsOnce(sendReportsDeps(app, silentLogger), requireReporter(app.config), { period: YESTERDAY, dryRun: true, outDir });
        const out = sendReportsJson(result);
        assert.equal(out['dry_run'], true);
        assert.equal(out['built'], 2);
        assert.equal(out['deliveries'], null);
        const files = readdirSync(outDir).sort();
        assert.deepEqual(files, out['reports'].map((x) => x.filename).sort());
        for (const f of files) {
          const xml = gunzipSync(readFileSync(join(outDir, f))).toString('utf8');
          const lint = spawnSync('xmllint', ['--noout', '--schema', XSD, '-'], { input: xml, encoding: 'utf8' });
          assert.equal(lint.status, 0, lint.stderr);
          assert.equal(collect(xml).outcome.messages, f.includes('!b.example!') ? 3 : 2);
        }
        assert.equal(smtp.messages.length, 0);
        assert.equal((app.db.prepare('SELECT COUNT(*) AS n FROM outbound_reports').get() as { n: number }).n, 0);
      });
    });
  });

  it('sends each report to its rua, archives it, ignores what is not mailto:; a second run sends nothing', async () => {
    await withSmtpServer({}, async (smtp) => {
      const dir = setup(smtp.port, [{ name: 'a.example' }, { name: 'b.example', rua: 'mailto:x@b.example, https://b.example/r' }]);
      await withApp(dir, async (app) => {
        const first = await sendOnce(app);
        assert.deepEqual([first.period.begin, first.period.end], [YESTERDAY.begin, YESTERDAY.end]);
        assert.equal(first.build.built.length, 2);
        const out = sendReportsJson(first);
        assert.deepEqual(out['deliveries'], { sent: 2, deferred: 0, rejected: 0, suppressed: 0, unauthorized: 0, too_big: 0, expired: 0, left_for_next_run: 0 });
        assert.deepEqual(out['ignored_uris'], [{ policy_domain: 'b.example', uri: 'https://b.example/r', reason: 'https: URIs are not supported (mailto only)' }]);
        assert.deepEqual(smtp.messages.map((m) => m.to[0]).sort(), ['rua@a.example', 'x@b.example']);
        assert.deepEqual(readdirSync(join(dir, 'reports', 'outbound')).sort(), first.build.built.map((b) => b.filename).sort());

        const second = await sendOnce(app);
        assert.equal(second.build.alreadyBuilt, 2);
        assert.equal(second.deliveries?.sent, 0);
        assert.equal(smtp.messages.length, 2);
      });
    });
  });

  it('a 5xx is recorded as rejected and the address suppressed', async () => {
    await withSmtpServer({ onRcpt: () => 550 }, async (smtp) => {
      const dir = setup(smtp.port, [{ name: 'a.example' }]);
      await withApp(dir, async (app) => {
        const result = await sendOnce(app);
        assert.equal(result.deliveries?.rejected, 1);
        assert.deepEqual(app.db.prepare('SELECT address, code FROM outbound_suppressions').all(), [{ address: 'rua@a.example', code: 550 }]);
      });
    });
  });
});

describe('scheduledSendReports', () => {
  it("the daemon's runs: yesterday's reports, then deliver-only passes; never beside another sender", async () => {
    await withSmtpServer({ onData: (attempt) => (attempt === 1 ? 451 : undefined) }, async (smtp) => {
      const dir = setup(smtp.port, [{ name: 'a.example' }]);
      const config = await loadConfig({ configPath: join(dir, 'ruaflow.toml'), env: {}, cwd: dir });
      const real = openApp(config, undefined);
      const clock = { t: Math.floor(Date.now() / 1000), now() { return this.t; } };
      const app = { ...real, clock };
      try {
        const signal = new AbortController().signal;
        await scheduledSendReports(scheduledSendReportsDeps(app, silentLogger), { build: true, signal });
        const state = () => app.db.prepare('SELECT state, attempts FROM outbound_deliveries').get();
        assert.deepEqual(state(), { state: 'deferred', attempts: 1 });
        // The 15-minute pass delivers only what is due: not yet.
        await scheduledSendReports(scheduledSendReportsDeps(app, silentLogger), { build: false, signal });
        assert.deepEqual(state(), { state: 'deferred', attempts: 1 });
        clock.t += 15 * 60;
        await scheduledSendReports(scheduledSendReportsDeps(app, silentLogger), { build: false, signal });
        assert.deepEqual(state(), { state: 'sent', attempts: 2 });
        assert.equal(smtp.messages.length, 1);
        const held = acquireLock(sendLockPath(app.dbPath), 'test');
        try {
          await assert.rejects(scheduledSendReports(scheduledSendReportsDeps(app, silentLogger), { build: true, signal }), LockedError);
        } finally {
          held.release();
        }
      } finally {
        app.close();
      }
    });
  });
});
