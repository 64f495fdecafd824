/**
 * The summary scenario of `npm run bench -- --only=summary`: 1,000,000 stored records written
 * straight into a SQLite file (the real schema, one transaction, prepared statements — far faster
 * than ingesting XML), then `ruaflow summary --format json --offline` end to end as a child
 * process. Target (issue 5): ≤ 2 s.
 *
 * Shape: 3 policy domains × 10 reporters × 56 daily reports (8 weeks; every 20th report spans
 * three days), 20,000 source addresses, dispositions and alignment mixed. Two summaries of the
 * same database: the last 28 days (with the previous period that is the other 28: every record
 * is summed — the figure held against the target) and the last week (what the weekly e-mail
 * reads: that week and the one before).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAY } from '../src/report/period.js';
import { openDatabase } from '../src/store/database.js';
import { ipToBytes } from '../src/report/aggregate/ip.js';
import { SourceIps } from '../src/store/source-ips.js';
import { createRng } from './generate.js';
import { measure, median, type RssMethod } from './measure.js';

export interface SummaryBenchResult {
  readonly records: number;
  readonly reports: number;
  readonly generate_s: number;
  /** Every record summed (28 days and the 28 before). */
  readonly all: SummaryRun;
  /** The last week and the week before. */
  readonly week: SummaryRun;
}

export interface SummaryRun {
  readonly period: string;
  readonly runs: number;
  readonly summary_s: number;
  readonly min_s: number;
  readonly max_s: number;
  readonly peak_rss_mib: number | null;
  readonly domains: number;
  /** Messages in the period and the previous one, as the JSON says. */
  readonly messages: number;
}

/** 2026-10-05, a Monday: eight weeks up to 2026-11-29. */
const FIRST_DAY = 1_791_158_400;
const DAYS = 56;
const DOMAINS = ['example.com', 'example.org', 'example.net'];
const REPORTERS = ['google.com', 'Microsoft', 'Yahoo', 'fastmail.com', 'mail.ru', 'web.de', 'gmx.net', 'comcast.net', 'Mimecast', 'Proofpoint'];

export async function benchSummary(options: { cli: string; quick: boolean; rss: RssMethod; tmp: string; seed: number; log: (line: string) => void }): Promise<SummaryBenchResult> {
  const total = options.quick ? 100_000 : 1_000_000;
  const dbPath = join(options.tmp, 'bench-summary.sqlite');
  const started = performance.now();
  const reports = generate(dbPath, total, options.seed);
  const generate_s = (performance.now() - started) / 1000;
  options.log(`summary: ${total.toLocaleString('en-US')} records in ${reports} reports written in ${generate_s.toFixed(1)} s`);

  const last = FIRST_DAY + (DAYS - 1) * DAY;
  const run = (period: string) => summarise(options, dbPath, period);
  return { records: total, reports, generate_s, all: await run(`${iso(FIRST_DAY + 28 * DAY)}..${iso(last)}`), week: await run(`${iso(last - 6 * DAY)}..${iso(last)}`) };
}

async function summarise(options: { cli: string; rss: RssMethod; tmp: string; log: (line: string) => void }, dbPath: string, period: string): Promise<SummaryRun> {
  const runs = 3;
  const walls: number[] = [];
  let rss: number | null = null;
  const out = join(options.tmp, 'bench-summary.json');
  for (let i = 0; i < runs; i++) {
    // --out: the JSON (every source of three domains, some MiB) goes to a file, not a pipe that
    // bench/measure.ts keeps only the end of.
    const m = await measure([options.cli, 'summary', '--db', dbPath, '--format', 'json', '--offline', '--period', period, '--out', out], {
      cwd: options.tmp,
      rss: options.rss,
      scratch: options.tmp,
      timeoutMs: 600_000,
    });
    if (m.status !== 0) throw new Error(`ruaflow summary exited ${m.status ?? m.signal}: ${m.stderr.slice(-500)}`);
    walls.push(m.wallMs / 1000);
    rss = m.peakRssKiB === null ? rss : Math.max(rss ?? 0, m.peakRssKiB / 1024);
  }
  const json = JSON.parse(readFileSync(out, 'utf8')) as { domains: { messages: number; previous: { messages: number } }[] };
  options.log(`summary --period ${period}: ${walls.map((w) => w.toFixed(2)).join(', ')} s`);
  return {
    period,
    runs,
    summary_s: median(walls),
    min_s: Math.min(...walls),
    max_s: Math.max(...walls),
    peak_rss_mib: rss,
    domains: json.domains.length,
    messages: json.domains.reduce((n, d) => n + d.messages + d.previous.messages, 0),
  };
}

const iso = (epoch: number): string => new Date(epoch * 1000).toISOString().slice(0, 10);

/** Writes the records; returns the number of reports. */
function generate(path: string, total: number, seed: number): number {
  const rng = createRng(seed);
  const db = openDatabase(path);
  const ips = Array.from({ length: 20_000 }, (_, i) => `${11 + (i >> 14)}.${(i >> 8) & 63}.${i & 255}.${1 + Math.floor(rng() * 250)}`);
  const reportCount = DOMAINS.length * REPORTERS.length * DAYS;
  const perReport = Math.ceil(total / reportCount);
  const addReport = db.prepare(
    `INSERT INTO reports (org_name, email, report_id, report_id_raw, policy_domain, begin_ts, end_ts, format, p, pct,
                          content_sha256, record_count, message_count, stored_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'rfc7489', 'none', 100, ?, ?, ?, 0)`,
  );
  const addRecord = db.prepare(
    `INSERT INTO records (report_id, source_ip, source_id, ip_version, ip_bin, count, disposition, dkim_aligned, spf_aligned, header_from)
     VALUES (?, ?, ?, 4, ?, ?, ?, ?, ?, ?)`,
  );
  const sourceIps = new SourceIps(db);
  const setCounts = db.prepare('UPDATE reports SET record_count = ?, message_count = ? WHERE id = ?');
  let written = 0;
  let reports = 0;
  db.transaction(() => {
    for (let day = 0; day < DAYS && written < total; day++) {
      for (const domain of DOMAINS) {
        for (const reporter of REPORTERS) {
          if (written >= total) break;
          const begin = FIRST_DAY + day * DAY;
          const span = reports % 20 === 19 ? 3 : 1;
          const id = `${reporter}-${domain}-${day}`;
          const reportRow = Number(addReport.run(reporter, `dmarc@${reporter}`, id, id, domain, begin, begin + span * DAY - 1, id, 0, 0).lastInsertRowid);
          const n = Math.min(perReport, total - written);
          let messages = 0;
          for (let k = 0; k < n; k++) {
            const ip = ips[Math.floor(rng() * rng() * ips.length)]!;
            const count = 1 + Math.floor(rng() * 20);
            const dkim = rng() < 0.9 ? 'pass' : 'fail';
            const spf = rng() < 0.8 ? 'pass' : 'fail';
            const fails = dkim === 'fail' && spf === 'fail';
            const disposition = fails ? (rng() < 0.5 ? 'quarantine' : 'none') : 'none';
            addRecord.run(reportRow, ip, sourceIps.idOf(ip), ipToBytes(ip, 4), count, disposition, dkim, spf, domain);
            messages += count;
          }
          setCounts.run(n, messages, reportRow);
          written += n;
          reports++;
        }
      }
    }
  })();
  db.close();
  return reports;
}
