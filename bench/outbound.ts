/**
 * The outbound scenario of `npm run bench` (issue 7): 1,000,000 recorded evaluations over 10,000
 * policy domains in one day, bulk-inserted into a SQLite file, then
 * `ruaflow send-reports --period DAY --dry-run --out DIR` as a child process: every report
 * built (XML + gzip) and written, no DNS, no SMTP. Target: ≤ 20 s, with bounded memory (peak RSS).
 * --quick: 100,000 evaluations over 1,000 domains.
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../src/store/database.js';
import { measure, type RssMethod } from './measure.js';
import { createRng } from './generate.js';

export interface OutboundResult {
  readonly evaluations: number;
  readonly domains: number;
  readonly insert_s: number;
  readonly build_s: number;
  readonly evaluations_per_s: number;
  readonly peak_rss_mib: number | null;
  readonly reports: number;
  readonly output_mib: number;
}

/** 2026-11-29, a day in the past. */
const DAY_BEGIN = Date.UTC(2026, 10, 29) / 1000;

/** Insert `evaluations` over `domains` policy domains: per domain a dozen sources, mostly
 * passing, some forwarded or spoofed, with one or two DKIM signatures each. */
export function generateEvaluations(path: string, evaluations: number, domains: number, seed: number): void {
  const db = openDatabase(path);
  db.pragma('synchronous = OFF');
  const rnd = createRng(seed);
  const insert = db.prepare(
    `INSERT INTO evaluations (id, evaluated_at, source_ip, envelope_from, envelope_from_domain, header_from, spf_domain, spf_scope, spf_result,
       dmarc_result, policy_domain, discovery_method, p, sp, adkim, aspf, rua, dkim_aligned, spf_aligned, disposition, decision)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'mfrom', ?, ?, ?, 'treewalk', ?, ?, 'r', 'r', ?, ?, ?, ?, ?)`,
  );
  const rcpt = db.prepare('INSERT INTO evaluation_recipients (evaluation_id, n, address, domain) VALUES (?, 0, ?, ?)');
  const dkim = db.prepare('INSERT INTO evaluation_dkim (evaluation_id, n, domain, selector, result, aligned) VALUES (?, ?, ?, ?, ?, ?)');
  const reason = db.prepare("INSERT INTO evaluation_reasons (evaluation_id, n, type, comment) VALUES (?, 0, 'local_policy', 'known forwarder')");
  let id = 0;
  const step = 50_000;
  for (let start = 0; start < evaluations; start += step) {
    db.transaction(() => {
      for (let i = start; i < Math.min(evaluations, start + step); i++) {
        id++;
        // Mail arrives interleaved from all domains, in time order (as `ruaflow verify` records it).
        const d = Math.floor(rnd() * domains);
        const domain = `domain${d}.example`;
        const kind = rnd();
        const source = Math.floor(rnd() * 12);
        const ip = kind < 0.85 ? `192.0.${d % 250}.${source}` : kind < 0.95 ? `198.51.100.${source}` : `2001:db8:${(d % 65000).toString(16)}::${source}`;
        const pass = kind < 0.85;
        const forwarded = kind >= 0.85 && kind < 0.95;
        const p = d % 3 === 0 ? 'reject' : d % 3 === 1 ? 'quarantine' : 'none';
        const disposition = pass ? 'none' : forwarded ? 'none' : p;
        insert.run(
          id,
          DAY_BEGIN + Math.floor((i * 86_400) / evaluations),
          ip,
          `bounce@${domain}`,
          pass ? domain : 'forwarder.example',
          domain,
          pass ? domain : 'forwarder.example',
          pass ? 'pass' : 'softfail',
          pass ? 'pass' : 'fail',
          domain,
          p,
          d % 5 === 0 ? 'none' : null,
          `mailto:dmarc@${domain}`,
          pass || forwarded ? 'pass' : 'fail',
          pass ? 'pass' : 'fail',
          disposition,
          disposition === 'reject' ? 'reject' : disposition === 'quarantine' ? 'quarantine' : 'accept',
        );
        rcpt.run(id, `user${source}@receiver.example`, 'receiver.example');
        dkim.run(id, 0, domain, 's1', pass || forwarded ? 'pass' : 'fail', 1);
        if (forwarded) {
          dkim.run(id, 1, 'forwarder.example', 'fw', 'pass', 0);
          reason.run(id);
        }
      }
    })();
  }
  db.close();
}

export async function benchOutbound(options: { cli: string; quick: boolean; rss: RssMethod; tmp: string; seed: number; log: (line: string) => void }): Promise<OutboundResult> {
  const evaluations = options.quick ? 100_000 : 1_000_000;
  const domains = options.quick ? 1_000 : 10_000;
  const dbPath = join(options.tmp, 'outbound.sqlite');
  const t0 = performance.now();
  generateEvaluations(dbPath, evaluations, domains, options.seed);
  const insert_s = (performance.now() - t0) / 1000;
  options.log(`outbound: ${evaluations.toLocaleString('en-US')} evaluations over ${domains.toLocaleString('en-US')} domains inserted in ${insert_s.toFixed(1)} s`);
  const cfg = join(options.tmp, 'bench-outbound.toml');
  writeFileSync(cfg, '[reporter]\norg_name = "Bench"\nemail = "dmarc@receiver.example"\ndomain = "receiver.example"\n');
  const out = join(options.tmp, 'outbound-out');
  const day = new Date(DAY_BEGIN * 1000).toISOString().slice(0, 10);
  const m = await measure([options.cli, 'send-reports', '--config', cfg, '--db', dbPath, '--period', day, '--dry-run', '--out', out, '--quiet'], {
    cwd: options.tmp,
    rss: options.rss,
    scratch: options.tmp,
    timeoutMs: 600_000,
  });
  if (m.status !== 0) throw new Error(`ruaflow send-reports exited ${m.status ?? m.signal}: ${m.stderr.slice(-500)}`);
  // The text summary (the --json one lists every report: 10,000 of them). First line:
  // `DAY: N evaluations; M reports built into DIR, …`.
  const line = /^\S+: (\d+) evaluations?; (\d+) reports? built/.exec(m.stdout);
  if (line === null) throw new Error(`unexpected output: ${m.stdout.slice(0, 300)}`);
  const result = { evaluations: Number(line[1]), built: Number(line[2]) };
  if (result.built !== domains) throw new Error(`expected ${domains} reports, got ${result.built}`);
  if (result.evaluations !== evaluations) throw new Error(`expected ${evaluations} evaluations read, got ${result.evaluations}`);
  const files = readdirSync(out);
  let bytes = 0;
  for (const f of files) bytes += statSync(join(out, f)).size;
  const build_s = m.wallMs / 1000;
  return {
    evaluations,
    domains,
    insert_s,
    build_s,
    evaluations_per_s: evaluations / build_s,
    peak_rss_mib: m.peakRssKiB === null ? null : m.peakRssKiB / 1024,
    reports: files.length,
    output_mib: bytes / 1024 / 1024,
  };
}
