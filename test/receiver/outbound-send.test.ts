/**
 * Sending outbound aggregate reports end to end at the boundaries: evaluations in a real SQLite
 * file, a real SMTP server (smtp-server on loopback) that can answer 4xx and 5xx, a real DNS
 * server for DKIM keys and external-destination records, and an injected clock so that backoff
 * and expiry are tested without waiting (STYLE.md 12). What arrives is parsed (mailparser),
 * gunzipped, read back through our own parser and compared with the evaluations.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, afterEach, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { parseConfig, type Config } from '../../src/app/config.js';
import { publicKeyForDns } from '../../src/mail/dkim-key.js';
import { loadSigningKeys } from '../../src/app/signing-keys.js';
import { requireReporter, requireSigning } from '../../src/jobs/send-reports-pass.js';
import { buildReports, deliverDue, type BuildTotals, type DeliveryTotals } from '../../src/jobs/send-reports.js';
import { createDnsResolver } from '../../src/platform/dns-resolver.js';
import { createSmtpTransport } from '../../src/platform/smtp-transport.js';
import { silentLogger } from '../../src/ports/logger.js';
import { dayPeriod, type Period } from '../../src/report/period.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { EvaluationHistory, EvaluationReader } from '../../src/store/evaluations-read.js';
import { OutboundStore } from '../../src/store/outbound.js';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';
import { evaluation, insertEvaluations, type EvaluationInput } from '../helpers/evaluations.js';
import { collect } from '../helpers/parse.js';
import { startSmtpServer, type SmtpServerOptions, type SmtpTestServer } from '../helpers/smtp-server.js';

const DAY1 = dayPeriod(Date.UTC(2026, 10, 28) / 1000);
const DAY2 = dayPeriod(Date.UTC(2026, 10, 29) / 1000);

let root: string;
let dns: DnsServer;
let keyFile: string;
const open: { db: Database; smtp: SmtpTestServer }[] = [];

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'ruaflow-outbound-send-'));
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  keyFile = join(root, 'dkim.pem');
  writeFileSync(keyFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  dns = await startDnsServer({
    's2026._domainkey.receiver.example': { TXT: [`v=DKIM1; k=rsa; p=${publicKeyForDns(pair.publicKey)}`] },
    'b.example._report._dmarc.collector.example': { TXT: ['v=DMARC1'] },
  });
});
afterEach(async () => {
  for (const o of open.splice(0)) {
    o.db.close();
    await o.smtp.stop();
  }
});
after(async () => {
  await dns.stop();
  rmSync(root, { recursive: true, force: true });
});

interface World {
  readonly db: Database;
  readonly smtp: SmtpTestServer;
  readonly clock: { t: number; now(): number };
  readonly archive: string;
  readonly sleeps: number[];
  readonly config: Config;
  run(period: Period): Promise<{ build: BuildTotals; deliveries: DeliveryTotals }>;
  deliveries(): { address: string; state: string; attempts: number; report_id: string; filename: string; policy_domain: string; last_code: number | null }[];
}

let worlds = 0;
async function world(options: { smtp?: SmtpServerOptions; outbound?: string; format?: 'rfc9990' | 'rfc7489'; evaluations: EvaluationInput[] }): Promise<World> {
  const dir = join(root, `w${++worlds}`);
  mkdirSync(dir);
  const smtp = await startSmtpServer(options.smtp);
  const config = parseConfig(
    `[reporter]
org_name = "Receiver Ltd"
email = "dmarc-reports@receiver.example"
domain = "receiver.example"
format = "${options.format ?? 'rfc9990'}"

[smtp]
host = "127.0.0.1"
port = ${smtp.port}
secure = false
from = "dmarc-reports@receiver.example"

[outbound]
own_rua = ["rua@receiver.example"]
${options.outbound?.includes('pace_seconds') === true ? '' : 'pace_seconds = 0'}
archive_dir = "archive"
${options.outbound ?? ''}

[[domains]]
name = "receiver.example"
keys = [{ selector = "s2026", private_key_file = "${keyFile}" }]
`,
    {},
    join(dir, 'ruaflow.toml'),
    { cwd: dir },
  );
  const db = openDatabase(join(dir, 'db.sqlite'));
  open.push({ db, smtp });
  insertEvaluations(db, options.evaluations);
  const clock = { t: DAY2.end + 3600, now() { return this.t; } };
  const sleeps: number[] = [];
  const reporter = requireReporter(config);
  const sign = requireSigning(config, reporter, loadSigningKeys(config));
  const common = { reporter, settings: config.outbound, clock, log: silentLogger, generator: 'ruaflow test' };
  const outbound = new OutboundStore(db);
  mkdirSync(config.outbound.archiveDir, { recursive: true });
  return {
    db,
    smtp,
    clock,
    archive: config.outbound.archiveDir,
    sleeps,
    config,
    async run(period) {
      const evaluations = EvaluationReader.open(join(dir, 'db.sqlite'));
      const build = await buildReports({ ...common, evaluations, history: new EvaluationHistory(db), outbound }, period).finally(() => evaluations.close());
      const transport = createSmtpTransport(config.smtp!, { timeoutMs: 5000 });
      try {
        const deliveries = await deliverDue({
          ...common,
          outbound,
          resolver: createDnsResolver({ servers: [dns.server], timeoutMs: 1500 }),
          transport,
          sign,
          archive: (filename, payload) => writeFileSync(join(config.outbound.archiveDir, filename), payload),
          sleep: async (ms) => {
            sleeps.push(ms);
          },
        });
        return { build, deliveries };
      } finally {
        await transport.close();
      }
    },
    deliveries() {
      return db
        .prepare(
          `SELECT d.address, d.state, d.attempts, d.last_code, r.report_id, r.filename, r.policy_domain
             FROM outbound_deliveries d JOIN outbound_reports r ON r.id = d.report_row ORDER BY r.policy_domain, d.address`,
        )
        .all() as ReturnType<World['deliveries']>;
    },
  };
}

const at = (p: Period, hour: number) => p.begin + hour * 3600;

/** What arrived, taken apart: headers, the attachment, the report read back through our parser. */
async function opened(raw: Buffer) {
  const mail = await simpleParser(raw);
  const attachment = mail.attachments[0];
  assert.ok(attachment, 'a report attachment');
  const xml = gunzipSync(attachment.content).toString('utf8');
  return { mail, attachment, xml, report: collect(xml) };
}

describe('send-reports: delivery', () => {
  it('sends one DKIM-signed report per destination; what arrives reads back as the evaluations; never twice', async () => {
    const evaluations = [
      ...Array.from({ length: 4 }, (_, i) => evaluation('a.example', at(DAY2, i))),
      evaluation('a.example', at(DAY2, 5), { sourceIp: '198.51.100.1', dkimAligned: 'fail', spfAligned: 'fail', disposition: 'none', dkim: [] }),
      ...Array.from({ length: 3 }, (_, i) => evaluation('b.example', at(DAY2, i), { rua: 'mailto:dmarc@b.example,mailto:reports@collector.example' })),
    ];
    const w = await world({ evaluations });
    const first = await w.run(DAY2);
    assert.equal(first.build.built.length, 2);
    assert.deepEqual(
      [first.deliveries.sent, first.deliveries.deferred, first.deliveries.rejected, first.deliveries.unauthorized],
      [3, 0, 0, 0],
    );
    assert.equal(w.smtp.messages.length, 3);
    assert.deepEqual(w.smtp.messages.map((m) => m.to[0]).sort(), ['dmarc@b.example', 'reports@collector.example', 'rua@a.example']);

    const resolver = createDnsResolver({ servers: [dns.server], timeoutMs: 1500 });
    for (const m of w.smtp.messages) {
      assert.equal(m.from, 'dmarc-reports@receiver.example');
      const { mail, attachment, report } = await opened(m.raw);
      const domain = m.to[0] === 'rua@a.example' ? 'a.example' : 'b.example';
      const row = w.deliveries().find((d) => d.policy_domain === domain)!;
      assert.equal(mail.subject, `Report Domain: ${domain} Submitter: receiver.example Report-ID: <${row.report_id}>`);
      assert.equal(mail.headers.get('auto-submitted'), 'auto-generated');
      assert.equal(mail.from?.value[0]?.address, 'dmarc-reports@receiver.example');
      assert.ok((mail.text ?? '').includes(row.report_id));
      assert.equal(attachment.contentType, 'application/gzip');
      assert.equal(attachment.filename, `receiver.example!${domain}!${DAY2.begin}!${DAY2.end - 1}!${row.report_id}.xml.gz`);
      const mine = evaluations.filter((e) => e.policyDomain === domain);
      assert.equal(report.outcome.messages, mine.length);
      assert.equal(report.outcome.header.reportId, row.report_id);
      assert.equal(report.outcome.header.format, 'rfc9990');
      assert.deepEqual(report.outcome.issues, []);
      const bySource = new Map<string, number>();
      for (const e of mine) bySource.set(e.sourceIp, (bySource.get(e.sourceIp) ?? 0) + 1);
      assert.deepEqual(new Map(report.records.map((r) => [r.sourceIp, r.count])), bySource);
      const verdict = await dkimVerify(m.raw, { resolver });
      assert.equal(verdict.results[0]?.status.result, 'pass', JSON.stringify(verdict.results[0]?.status));
      assert.equal(verdict.results[0]?.signingDomain, 'receiver.example');
      assert.ok(existsSync(join(w.archive, attachment.filename ?? '')), 'archived');
    }

    const again = await w.run(DAY2);
    assert.equal(again.build.built.length, 0);
    assert.equal(again.build.alreadyBuilt, 2);
    assert.equal(again.deliveries.sent, 0);
    assert.equal(w.smtp.messages.length, 3, 'a period is never reported twice');
  });

  it('4xx: keeps the report and retries it after the backoff with the same Report-ID and file name', async () => {
    const w = await world({
      smtp: { onData: (n) => (n === 1 ? 451 : undefined) },
      evaluations: [evaluation('c.example', at(DAY2, 1))],
    });
    const first = await w.run(DAY2);
    assert.equal(first.deliveries.deferred, 1);
    assert.equal(w.smtp.messages.length, 0);
    const [before] = w.deliveries();
    assert.deepEqual([before?.state, before?.attempts, before?.last_code], ['deferred', 1, 451]);

    const early = await w.run(DAY2);
    assert.equal(early.deliveries.sent + early.deliveries.deferred, 0, 'not due before the backoff');
    w.clock.t += 15 * 60;
    const retry = await w.run(DAY2);
    assert.equal(retry.deliveries.sent, 1);
    const [done] = w.deliveries();
    assert.deepEqual([done?.state, done?.attempts, done?.report_id], ['sent', 2, before?.report_id]);
    const { mail, attachment } = await opened(w.smtp.messages[0]!.raw);
    assert.equal(attachment.filename, before?.filename);
    assert.ok(mail.subject?.endsWith(`Report-ID: <${before?.report_id}>`));
  });

  it('5xx: records the failure, suppresses the address, honours the suppression until it expires', async () => {
    const w = await world({
      smtp: { onRcpt: (address) => (address === 'gone@d.example' && w.clock.t < DAY2.end + 10 * 86400 ? 550 : undefined) },
      outbound: 'suppress_days = 7',
      evaluations: [evaluation('d.example', at(DAY1, 1), { rua: 'mailto:gone@d.example' }), evaluation('d.example', at(DAY2, 1), { rua: 'mailto:gone@d.example' })],
    });
    const first = await w.run(DAY1);
    assert.equal(first.deliveries.rejected, 1);
    const suppression = w.db.prepare('SELECT address, code, expires_at FROM outbound_suppressions').get() as { address: string; code: number; expires_at: number };
    assert.deepEqual(suppression, { address: 'gone@d.example', code: 550, expires_at: w.clock.t + 7 * 86400 });

    const attemptsBefore = w.smtp.rcptAttempts.get('gone@d.example');
    const second = await w.run(DAY2);
    assert.equal(second.deliveries.suppressed, 1);
    assert.equal(w.smtp.rcptAttempts.get('gone@d.example'), attemptsBefore, 'no SMTP attempt for a suppressed address');
    assert.deepEqual(w.deliveries().map((d) => d.state), ['rejected', 'suppressed']);

    // A week later the suppression has expired: the next report goes out again.
    insertEvaluations(w.db, [evaluation('d.example', DAY2.begin + 11 * 86400, { rua: 'mailto:gone@d.example' })]);
    w.clock.t = DAY2.end + 12 * 86400;
    const later = await w.run(dayPeriod(DAY2.begin + 11 * 86400));
    assert.equal(later.deliveries.sent, 1);
  });

  it('external destinations: a DNS temperror defers, a missing authorisation drops that URI', async () => {
    dns.set('e.example._report._dmarc.flaky.example', { servfail: true });
    const w = await world({
      evaluations: [evaluation('e.example', at(DAY2, 1), { rua: 'mailto:r@flaky.example,mailto:r@stranger.example,mailto:own@e.example' })],
    });
    const first = await w.run(DAY2);
    assert.deepEqual([first.deliveries.sent, first.deliveries.deferred, first.deliveries.unauthorized], [1, 1, 1]);
    assert.deepEqual(w.smtp.messages.map((m) => m.to[0]), ['own@e.example']);
    assert.equal(w.smtp.rcptAttempts.get('r@stranger.example'), undefined);

    dns.set('e.example._report._dmarc.flaky.example', { TXT: ['v=DMARC1'] });
    w.clock.t += 15 * 60;
    const second = await w.run(DAY2);
    assert.equal(second.deliveries.sent, 1);
    assert.deepEqual(w.deliveries().map((d) => [d.address, d.state]), [
      ['own@e.example', 'sent'],
      ['r@flaky.example', 'sent'],
      ['r@stranger.example', 'unauthorized'],
    ]);
  });

  it('gives up on a delivery still deferred after give_up_after_days, and records it', async () => {
    const w = await world({ smtp: { onRcpt: () => 421 }, outbound: 'give_up_after_days = 1', evaluations: [evaluation('g.example', at(DAY2, 1))] });
    const builtAt = w.clock.t;
    assert.equal((await w.run(DAY2)).deliveries.deferred, 1);
    // Due again shortly before the day is up; the next retry would fall after it: given up.
    w.clock.t = builtAt + 86_400 - 60;
    const last = await w.run(DAY2);
    assert.equal(last.deliveries.expired, 1);
    assert.deepEqual(w.deliveries().map((d) => [d.state, d.attempts]), [['expired', 2]]);
    assert.equal((await w.run(DAY2)).deliveries.expired, 0, 'recorded once');
  });
});

describe('send-reports: safety', () => {
  it('no report for report mail to our rua mailbox only, rejected-only strangers, or denied domains', async () => {
    const evaluations = [
      // Someone's aggregate report to us: their domain must not get a report about it (loops).
      evaluation('reporter.example', at(DAY2, 1), { recipients: ['rua@receiver.example'] }),
      // Spam with a forged From we rejected; the domain never got mail through.
      evaluation('victim.example', at(DAY2, 1), { decision: 'reject', disposition: 'reject', dkimAligned: 'fail', spfAligned: 'fail' }),
      // Rejected today, but accepted before: a real correspondent, it gets its report.
      evaluation('known.example', at(DAY1, 1)),
      evaluation('known.example', at(DAY2, 1), { decision: 'reject', disposition: 'reject' }),
      evaluation('sub.denied.example', at(DAY2, 1)),
      evaluation('fine.example', at(DAY2, 1), { recipients: ['rua@receiver.example', 'user@receiver.example'] }),
      // No rua: nobody asked for a report; not a skip, not recorded.
      evaluation('quiet.example', at(DAY2, 1), { rua: null }),
    ];
    const w = await world({ evaluations, outbound: 'deny_domains = ["denied.example"]' });
    const r = await w.run(DAY2);
    assert.deepEqual(
      r.build.skipped.map((s) => [s.policyDomain, s.reason]),
      [
        ['reporter.example', 'only report mail to our own rua mailbox (no report loops)'],
        ['sub.denied.example', 'listed in [outbound] deny_domains'],
        ['victim.example', 'only mail we rejected, from a domain we never accepted mail from'],
      ],
    );
    assert.deepEqual(w.smtp.messages.map((m) => m.to[0]).sort(), ['rua@fine.example', 'rua@known.example']);
    assert.equal(r.build.noRua, 1);
    const skipped = w.db.prepare("SELECT policy_domain, skip_reason FROM outbound_reports WHERE status = 'skipped' ORDER BY policy_domain").all();
    assert.equal(skipped.length, 3, 'recorded, so never reconsidered');
  });

  it('only allow_domains when set', async () => {
    const w = await world({ evaluations: [evaluation('a.example', at(DAY2, 1)), evaluation('b.example', at(DAY2, 1))], outbound: 'allow_domains = ["b.example"]' });
    await w.run(DAY2);
    assert.deepEqual(w.smtp.messages.map((m) => m.to[0]), ['rua@b.example']);
  });

  it('RFC 7489 mode honours the rua size suffix; RFC 9990 mode ignores it', async () => {
    const evaluations = [evaluation('s.example', at(DAY2, 1), { rua: 'mailto:small@s.example!1k,mailto:big@s.example!1m' })];
    const old = await world({ evaluations, format: 'rfc7489' });
    const r = await old.run(DAY2);
    assert.deepEqual([r.deliveries.tooBig, r.deliveries.sent], [1, 1]);
    assert.deepEqual(old.smtp.messages.map((m) => m.to[0]), ['big@s.example']);
    assert.equal((await opened(old.smtp.messages[0]!.raw)).report.outcome.header.format, 'rfc7489');
    const current = await world({ evaluations });
    assert.equal((await current.run(DAY2)).deliveries.sent, 2);
  });

  it('caps the messages per run and paces messages to one host', async () => {
    const evaluations = ['p1', 'p2', 'p3'].map((d) => evaluation(`${d}.example`, at(DAY2, 1), { rua: 'mailto:dmarc@collector.example' }));
    for (const d of ['p1', 'p2', 'p3']) dns.set(`${d}.example._report._dmarc.collector.example`, { TXT: ['v=DMARC1'] });
    const w = await world({ evaluations, outbound: 'max_reports_per_run = 2\npace_seconds = 30' });
    const first = await w.run(DAY2);
    assert.deepEqual([first.deliveries.sent, first.deliveries.leftForNextRun], [2, 1]);
    assert.equal(w.sleeps.length, 1, 'the second message to the same host waited');
    assert.ok((w.sleeps[0] ?? 0) > 25_000 && (w.sleeps[0] ?? 0) <= 30_000, String(w.sleeps[0]));
    const second = await w.run(DAY2);
    assert.equal(second.deliveries.sent, 1);
    assert.equal(w.smtp.messages.length, 3);
    assert.ok(readFileSync(join(w.archive, w.deliveries()[2]!.filename)).length > 0);
  });
});
