/**
 * `npm run bench [-- --only=large,emails,version] [--quick] [--keep] [--cli=FILE]`
 *
 * Throughput and memory of the real CLI (dist/cli/main.js, run as a child process by this Node),
 * with the raw-parser baseline beside it (DESIGN.md "bench/"):
 *   large    one .xml.gz report of 10, 1,000 and 100,000 records: `ruaflow ingest FILE --db … --json`
 *            against bench/raw-parse.mjs (gunzip + one fast-xml-parser parse of the whole document)
 *   emails   10,000 report e-mails in one folder: `ruaflow ingest DIR --db … --json`
 *   version  `ruaflow --version` cold start, median of 10
 *   summary  1,000,000 stored records: `ruaflow summary --format json --offline` (bench/summary.ts)
 *   poll     2,000 report e-mails in a local Dovecot: `ruaflow poll` (bench/poll.ts)
 *   outbound 1,000,000 evaluations over 10,000 policy domains: `ruaflow send-reports --dry-run`
 *            builds every report, XML + gzip (bench/outbound.ts)
 *   serve    `ruaflow serve` with a warm DNS cache against mailauth called directly (bench/serve.ts)
 *   plainxml one ~420 MB report as a plain .xml file beside the same .xml.gz: wall time and peak
 *            RSS of `ruaflow ingest FILE --json` for each (bench/plain-xml.ts)
 * --quick shrinks the sizes for a smoke run; --keep keeps the inputs; --cli drives another build.
 * Inputs are generated with fixed seeds (bench/generate.ts) into a temporary folder, each ingest
 * into a fresh database there. Results: a table on stdout (progress on stderr) and
 * bench/out/results.json. Exit status 1 when the CLI failed somewhere; missed targets only print.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { gzipXml, largeReport, reportEmail } from './generate.js';
import { detectRssMethod, measure, median, medianRun, type Measured, type RssMethod } from './measure.js';
import { benchOutbound, type OutboundResult } from './outbound.js';
import { benchPoll, type PollResult } from './poll.js';
import { benchSummary, type SummaryBenchResult } from './summary.js';
import { benchServe, type ServeResult } from './serve.js';
import { benchPlainXml, type PlainXmlResult } from './plain-xml.js';

const ROOT = resolve(import.meta.dirname, '..');
const OUT_DIR = join(ROOT, 'bench', 'out');
const RAW_PARSE = join(ROOT, 'bench', 'raw-parse.mjs');
const SEED = 20261102;
const CHILD_TIMEOUT_MS = 15 * 60 * 1000;
const MiB = 1024 * 1024;

const SIZES = {
  full: { large: [10, 1_000, 100_000], emails: 10_000 },
  quick: { large: [10, 1_000, 10_000], emails: 500 },
} as const;
/** Small reports are dominated by start-up noise: take the median of several runs. */
const RUNS_UP_TO_1000_RECORDS = 5;
const VERSION_RUNS = 10;

const TARGETS = {
  largeRatio: 1.25, // ingest wall / raw-parse wall, 100k records
  largeRssMiB: 200, // ingest peak RSS, 100k records
  emailsPerSecond: 500,
  versionSeconds: 0.3,
} as const;

type Scenario = 'large' | 'emails' | 'version' | 'poll' | 'summary' | 'outbound' | 'serve' | 'plainxml';
const SCENARIOS: readonly Scenario[] = ['large', 'emails', 'version', 'poll', 'summary', 'outbound', 'serve', 'plainxml'];
const USAGE = `usage: npm run bench -- [--only=${SCENARIOS.join(',')}] [--quick] [--keep] [--cli=FILE]`;

interface Options {
  readonly only: readonly Scenario[];
  readonly quick: boolean;
  readonly keep: boolean;
  readonly cli: string;
}

function parseArgs(argv: readonly string[]): Options {
  let only: Scenario[] = [...SCENARIOS];
  let quick = false;
  let keep = false;
  let cli = join(ROOT, 'dist', 'cli', 'main.js');
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--keep') keep = true;
    else if (arg.startsWith('--cli=')) cli = resolve(arg.slice('--cli='.length));
    else if (arg.startsWith('--only=')) {
      only = [];
      for (const name of arg.slice('--only='.length).split(',')) {
        const scenario = SCENARIOS.find((s) => s === name);
        if (scenario === undefined) throw new Error(`--only: unknown scenario "${name}"; ${USAGE}`);
        only.push(scenario);
      }
    } else throw new Error(`unknown option ${arg}; ${USAGE}`);
  }
  return { only, quick, keep, cli };
}

// ---------------------------------------------------------------------------------------------
// The CLI contract: `ruaflow ingest PATH… --db FILE --json` prints one object, exits 0 or 3

interface IngestOutput {
  readonly new: number;
  readonly duplicate: number;
  readonly invalid: number;
  readonly not_aggregate: number;
  readonly inputs: number;
  readonly invalid_inputs: readonly { readonly path: string; readonly reason: string }[];
}

function describeFailure(m: Measured, what: string): string {
  const how = m.signal !== null ? `killed by ${m.signal}` : `exit status ${m.status}`;
  const err = m.stderr.trim().split('\n').slice(-8).join('\n    ');
  return `${what}: ${how}${err !== '' ? `\n    ${err}` : ''}`;
}

/** The --json object, or why there is none. */
function parseIngest(m: Measured): IngestOutput | string {
  if (m.status !== 0 && m.status !== 3) return describeFailure(m, 'ruaflow ingest failed');
  const text = m.stdout.trim();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const err = m.stderr.trim().slice(0, 500);
    return `ruaflow ingest --json printed no JSON object: ${JSON.stringify(text.slice(0, 300))}${err !== '' ? `\n    stderr: ${err}` : ''}`;
  }
  const v = value as Partial<Record<keyof IngestOutput, unknown>>;
  for (const k of ['new', 'duplicate', 'invalid', 'not_aggregate', 'inputs'] as const) {
    if (typeof v[k] !== 'number') return `ruaflow ingest --json: no numeric "${k}" in ${text.slice(0, 300)}`;
  }
  if (!Array.isArray(v.invalid_inputs)) return `ruaflow ingest --json: no "invalid_inputs" array in ${text.slice(0, 300)}`;
  return value as IngestOutput;
}

function brief(out: IngestOutput): string {
  return JSON.stringify({ ...out, invalid_inputs: out.invalid_inputs.slice(0, 3) });
}

// ---------------------------------------------------------------------------------------------
// Scenarios

interface Failed {
  readonly error: string;
}

interface Run {
  readonly wall_s: number;
  readonly peak_rss_mib: number | null;
}

interface LargeResult {
  readonly records: number;
  readonly xml_mib: number;
  readonly gz_mib: number;
  readonly generate_s: number;
  readonly runs: number;
  readonly ingest: (Run & { readonly records_per_s: number; readonly output: IngestOutput }) | Failed;
  readonly raw_parse: (Run & { readonly parse_only_s: number; readonly read_gunzip_s: number }) | Failed;
  /** ingest wall / raw-parse wall (both whole child processes): the target measure. */
  readonly ratio: number | null;
  /** ingest wall / the parse call alone, for reference. */
  readonly ratio_parse_only: number | null;
}

interface EmailsResult {
  readonly messages: number;
  readonly total_mib: number;
  readonly generate_s: number;
  readonly ingest: (Run & { readonly messages_per_s: number; readonly output: IngestOutput }) | Failed;
}

interface VersionResult {
  readonly runs: number;
  readonly printed: string;
  readonly median_s: number;
  readonly min_s: number;
  readonly max_s: number;
}

interface Context {
  readonly opts: Options;
  readonly rss: RssMethod;
  readonly tmp: string;
  /** Why the CLI cannot be run at all (not built), or null. */
  readonly cliMissing: string | null;
  readonly failures: string[];
}

const toMiB = (kib: number | null): number | null => (kib === null ? null : kib / 1024);
const failed = <T extends object>(r: T | Failed): r is Failed => 'error' in r;

function run(ctx: Context, args: readonly string[], rss = ctx.rss): Promise<Measured> {
  return measure(args, { cwd: ROOT, rss, scratch: ctx.tmp, timeoutMs: CHILD_TIMEOUT_MS });
}

async function ingestLarge(ctx: Context, file: string, records: number, runs: number): Promise<LargeResult['ingest']> {
  if (ctx.cliMissing !== null) return { error: ctx.cliMissing };
  const done: { wallMs: number; m: Measured; out: IngestOutput }[] = [];
  for (let i = 0; i < runs; i++) {
    const db = join(ctx.tmp, `large-${records}-${i}.sqlite`);
    const m = await run(ctx, [ctx.opts.cli, 'ingest', file, '--db', db, '--json']);
    const out = parseIngest(m);
    if (typeof out === 'string') return { error: out };
    if (out.new !== 1 || out.invalid !== 0) return { error: `expected 1 new report, got ${brief(out)}` };
    done.push({ wallMs: m.wallMs, m, out });
  }
  const { m, out } = medianRun(done);
  return { wall_s: m.wallMs / 1000, peak_rss_mib: toMiB(m.peakRssKiB), records_per_s: records / (m.wallMs / 1000), output: out };
}

async function rawParse(ctx: Context, file: string, records: number, runs: number): Promise<LargeResult['raw_parse']> {
  const done: { wallMs: number; m: Measured; readMs: number; parseMs: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const m = await run(ctx, [RAW_PARSE, file]);
    if (m.status !== 0) return { error: describeFailure(m, 'raw parse failed') };
    const v = JSON.parse(m.stdout.trim()) as { readMs: number; parseMs: number; records: number };
    if (v.records !== records) return { error: `raw parse found ${v.records} records, expected ${records}` };
    done.push({ wallMs: m.wallMs, m, readMs: v.readMs, parseMs: v.parseMs });
  }
  const r = medianRun(done);
  return {
    wall_s: r.wallMs / 1000,
    peak_rss_mib: toMiB(r.m.peakRssKiB),
    parse_only_s: r.parseMs / 1000,
    read_gunzip_s: r.readMs / 1000,
  };
}

async function benchLarge(ctx: Context): Promise<LargeResult[]> {
  const dir = join(ctx.tmp, 'large');
  mkdirSync(dir);
  const results: LargeResult[] = [];
  for (const records of ctx.opts.quick ? SIZES.quick.large : SIZES.full.large) {
    const t0 = performance.now();
    const report = largeReport(records, SEED);
    const gz = gzipXml(report.xml);
    const generateS = (performance.now() - t0) / 1000;
    const xmlBytes = Buffer.byteLength(report.xml);
    const file = join(dir, report.name);
    writeFileSync(file, gz);
    progress(`large ${records}: ${(xmlBytes / MiB).toFixed(1)} MiB XML, ${(gz.length / MiB).toFixed(2)} MiB gz, generated in ${generateS.toFixed(2)} s`);

    const runs = records <= 1_000 ? RUNS_UP_TO_1000_RECORDS : 1;
    const ingest = await ingestLarge(ctx, file, records, runs);
    if (failed(ingest)) ctx.failures.push(`large ${records}: ${ingest.error}`);
    progress(`  ingest: ${failed(ingest) ? 'FAILED' : `${ingest.wall_s.toFixed(2)} s`}`);
    const raw = await rawParse(ctx, file, records, runs);
    if (failed(raw)) ctx.failures.push(`large ${records}: ${raw.error}`);
    progress(`  raw parse: ${failed(raw) ? 'FAILED' : `${raw.wall_s.toFixed(2)} s`}`);

    const both = !failed(ingest) && !failed(raw) ? { ingest, raw } : null;
    results.push({
      records,
      xml_mib: xmlBytes / MiB,
      gz_mib: gz.length / MiB,
      generate_s: generateS,
      runs,
      ingest,
      raw_parse: raw,
      ratio: both && both.ingest.wall_s / both.raw.wall_s,
      ratio_parse_only: both && both.ingest.wall_s / both.raw.parse_only_s,
    });
  }
  return results;
}

async function benchEmails(ctx: Context): Promise<EmailsResult> {
  const count = ctx.opts.quick ? SIZES.quick.emails : SIZES.full.emails;
  const dir = join(ctx.tmp, 'emails');
  mkdirSync(dir);
  const t0 = performance.now();
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const mail = reportEmail(i, SEED);
    writeFileSync(join(dir, mail.name), mail.bytes);
    bytes += mail.bytes.length;
  }
  const generateS = (performance.now() - t0) / 1000;
  progress(`emails: ${count} messages, ${(bytes / MiB).toFixed(1)} MiB, generated in ${generateS.toFixed(2)} s`);
  const base = { messages: count, total_mib: bytes / MiB, generate_s: generateS };

  const ingest = await (async (): Promise<EmailsResult['ingest']> => {
    if (ctx.cliMissing !== null) return { error: ctx.cliMissing };
    const m = await run(ctx, [ctx.opts.cli, 'ingest', dir, '--db', join(ctx.tmp, 'emails.sqlite'), '--json']);
    const out = parseIngest(m);
    if (typeof out === 'string') return { error: out };
    if (out.new !== count || out.invalid !== 0) return { error: `expected ${count} new reports, got ${brief(out)}` };
    const wallS = m.wallMs / 1000;
    return { wall_s: wallS, peak_rss_mib: toMiB(m.peakRssKiB), messages_per_s: count / wallS, output: out };
  })();
  if (failed(ingest)) ctx.failures.push(`emails: ${ingest.error}`);
  progress(`  ingest: ${failed(ingest) ? 'FAILED' : `${ingest.wall_s.toFixed(2)} s`}`);
  return { ...base, ingest };
}

async function benchVersion(ctx: Context): Promise<VersionResult | Failed> {
  if (ctx.cliMissing !== null) return { error: ctx.cliMissing };
  const expected = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const walls: number[] = [];
  let printed = '';
  for (let i = 0; i < VERSION_RUNS; i++) {
    const m = await run(ctx, [ctx.opts.cli, '--version'], 'none');
    if (m.status !== 0) return { error: describeFailure(m, 'ruaflow --version failed') };
    printed = m.stdout.trim();
    walls.push(m.wallMs / 1000);
  }
  if (!printed.includes(expected)) return { error: `ruaflow --version printed "${printed}", expected ${expected} in it` };
  return { runs: VERSION_RUNS, printed, median_s: median(walls), min_s: Math.min(...walls), max_s: Math.max(...walls) };
}

// ---------------------------------------------------------------------------------------------
// Targets and output

interface Target {
  readonly measure: string;
  readonly target: string;
  readonly value: number | null;
  readonly digits: number;
  readonly met: boolean | null;
}

function target(measure: string, value: number | null, bound: number, dir: '≤' | '≥', unit: string, digits: number): Target {
  return {
    measure,
    target: `${dir} ${bound}${unit}`,
    value,
    digits,
    met: value === null ? null : dir === '≤' ? value <= bound : value >= bound,
  };
}

function targetsOf(large: readonly LargeResult[] | null, emails: EmailsResult | null, version: VersionResult | Failed | null): Target[] {
  const out: Target[] = [];
  const largest = large?.at(-1);
  if (largest !== undefined) {
    const n = largest.records.toLocaleString('en-US');
    out.push(target(`ingest / raw parse wall, ${n} records`, largest.ratio, TARGETS.largeRatio, '≤', '', 2));
    const rss = failed(largest.ingest) ? null : largest.ingest.peak_rss_mib;
    out.push(target(`ingest peak RSS, ${n} records`, rss, TARGETS.largeRssMiB, '≤', ' MiB', 1));
  }
  if (emails !== null) {
    const rate = failed(emails.ingest) ? null : emails.ingest.messages_per_s;
    out.push(target('e-mails ingested per second', rate, TARGETS.emailsPerSecond, '≥', '', 0));
  }
  if (version !== null) {
    const s = failed(version) ? null : version.median_s;
    out.push(target('--version cold start, median', s, TARGETS.versionSeconds, '≤', ' s', 3));
  }
  return out;
}

function progress(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

function fixed(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** A plain-text table: first column left-aligned, the others right-aligned. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function render(
  opts: Options,
  large: readonly LargeResult[] | null,
  emails: EmailsResult | null,
  version: VersionResult | Failed | null,
  targets: readonly Target[],
  failures: readonly string[],
): string {
  const out: string[] = [
    `ruaflow bench — node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs, ` +
      `${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM` +
      (opts.quick ? ' — QUICK run: smaller sizes, the targets are meant for the full run' : ''),
  ];
  if (large !== null) {
    out.push('', 'large: one .xml.gz report; `ruaflow ingest FILE --json` vs raw fast-xml-parser (read + gunzip + parse)');
    const rows = large.map((r) => {
      const i = failed(r.ingest) ? null : r.ingest;
      const p = failed(r.raw_parse) ? null : r.raw_parse;
      return [
        count(r.records),
        fixed(r.xml_mib, 1),
        fixed(r.gz_mib, 2),
        i ? fixed(i.wall_s, 3) : 'FAILED',
        i ? count(i.records_per_s) : '—',
        fixed(i?.peak_rss_mib, 1),
        p ? fixed(p.wall_s, 3) : 'FAILED',
        fixed(p?.parse_only_s, 3),
        fixed(p?.peak_rss_mib, 1),
        fixed(r.ratio, 2),
      ];
    });
    const header = ['records', 'XML MiB', 'gz MiB', 'ingest s', 'records/s', 'ingest RSS MiB', 'raw s', 'parse-only s', 'raw RSS MiB', 'ingest/raw'];
    out.push(table(header, rows));
    out.push(`(wall times of whole child processes; up to 1,000 records the median of ${RUNS_UP_TO_1000_RECORDS} runs)`);
  }
  if (emails !== null) {
    const i = failed(emails.ingest) ? null : emails.ingest;
    out.push('', `emails: ${count(emails.messages)} report e-mails (${fixed(emails.total_mib, 1)} MiB) in one folder; \`ruaflow ingest DIR --json\``);
    const row = [count(emails.messages), i ? fixed(i.wall_s, 3) : 'FAILED', i ? count(i.messages_per_s) : '—', fixed(i?.peak_rss_mib, 1)];
    out.push(table(['messages', 'ingest s', 'messages/s', 'ingest RSS MiB'], [row]));
  }
  if (version !== null) {
    out.push('', `version: \`ruaflow --version\` cold start, ${VERSION_RUNS} runs`);
    const row = failed(version)
      ? ['FAILED', '—', '—', '—']
      : [fixed(version.median_s, 3), fixed(version.min_s, 3), fixed(version.max_s, 3), version.printed];
    out.push(table(['median s', 'min s', 'max s', 'printed'], [row]));
  }
  out.push('', 'targets');
  const verdict = (met: boolean | null): string => (met === null ? 'not measured' : met ? 'ok' : 'MISSED');
  out.push(table(['measure', 'target', 'measured', ''], targets.map((t) => [t.measure, t.target, fixed(t.value, t.digits), verdict(t.met)])));
  if (failures.length > 0) out.push('', 'FAILURES', ...failures.map((f) => `  - ${f}`));
  return out.join('\n');
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Why the CLI cannot be benchmarked, or null; warns when the build looks older than src/. */
function checkCli(cli: string): string | null {
  if (!existsSync(cli)) return `${relative(ROOT, cli)} not found — run \`npm run build\` first`;
  const src = join(ROOT, 'src');
  if (existsSync(src) && newestMtime(src) > statSync(cli).mtimeMs) {
    progress(`warning: src/ changed after ${relative(ROOT, cli)} was built — run \`npm run build\` for current numbers`);
  }
  return null;
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const rss = detectRssMethod();
  const tmp = mkdtempSync(join(tmpdir(), 'ruaflow-bench-'));
  // On 'exit', so that an interrupted run (bench/measure.ts ends it on Ctrl-C) cleans up too.
  if (!opts.keep) process.once('exit', () => rmSync(tmp, { recursive: true, force: true }));
  const ctx: Context = { opts, rss, tmp, cliMissing: checkCli(opts.cli), failures: [] };
  if (ctx.cliMissing !== null) progress(ctx.cliMissing);
  progress(`inputs in ${tmp}; peak RSS via ${rss}`);

  let large: LargeResult[] | null = null;
  let emails: EmailsResult | null = null;
  let version: VersionResult | Failed | null = null;
  let poll: PollResult | Failed | null = null;
  let summary: SummaryBenchResult | Failed | null = null;
  let outbound: OutboundResult | Failed | null = null;
  let serve: ServeResult | Failed | null = null;
  let plainXml: PlainXmlResult | Failed | null = null;
  try {
    if (opts.only.includes('large')) large = await benchLarge(ctx);
    if (opts.only.includes('emails')) emails = await benchEmails(ctx);
    if (opts.only.includes('version')) {
      version = await benchVersion(ctx);
      if (failed(version)) ctx.failures.push(`version: ${version.error}`);
    }
    if (opts.only.includes('poll')) {
      try {
        poll = await benchPoll({ cli: opts.cli, quick: opts.quick, rss, tmp, seed: SEED, log: progress });
      } catch (error) {
        poll = { error: error instanceof Error ? error.message : String(error) };
        ctx.failures.push(`poll: ${poll.error}`);
      }
    }
    if (opts.only.includes('summary')) {
      try {
        summary = await benchSummary({ cli: opts.cli, quick: opts.quick, rss, tmp, seed: SEED, log: progress });
      } catch (error) {
        summary = { error: error instanceof Error ? error.message : String(error) };
        ctx.failures.push(`summary: ${summary.error}`);
      }
    }
    if (opts.only.includes('outbound')) {
      try {
        outbound = await benchOutbound({ cli: opts.cli, quick: opts.quick, rss, tmp, seed: SEED, log: progress });
      } catch (error) {
        outbound = { error: error instanceof Error ? error.message : String(error) };
        ctx.failures.push(`outbound: ${outbound.error}`);
      }
    }
    if (opts.only.includes('serve')) {
      try {
        if (ctx.cliMissing !== null) throw new Error(ctx.cliMissing);
        serve = await benchServe({ cli: opts.cli, quick: opts.quick, tmp, log: progress });
      } catch (error) {
        serve = { error: error instanceof Error ? error.message : String(error) };
        ctx.failures.push(`serve: ${serve.error}`);
      }
    }
    if (opts.only.includes('plainxml')) {
      try {
        if (ctx.cliMissing !== null) throw new Error(ctx.cliMissing);
        plainXml = await benchPlainXml({ cli: opts.cli, root: ROOT, quick: opts.quick, rss, tmp, seed: SEED, log: progress });
      } catch (error) {
        plainXml = { error: error instanceof Error ? error.message : String(error) };
        ctx.failures.push(`plainxml: ${plainXml.error}`);
      }
    }
  } finally {
    if (opts.keep) progress(`kept the inputs in ${tmp}`);
  }
  if (ctx.cliMissing !== null && !ctx.failures.some((f) => f.includes(ctx.cliMissing ?? ''))) ctx.failures.push(ctx.cliMissing);

  const targets = targetsOf(large, emails, version);
  if (poll !== null) {
    const p = failed(poll) ? null : poll;
    targets.push(
      { measure: `poll, ${p?.messages ?? 2000} messages in Dovecot, messages/s`, target: '≥ 200', value: p?.messages_per_s ?? null, digits: 0, met: p === null ? null : p.messages_per_s >= 200 },
      { measure: 'poll peak RSS', target: '≤ 200 MiB', value: p?.peak_rss_mib ?? null, digits: 1, met: p?.peak_rss_mib == null ? null : p.peak_rss_mib <= 200 },
    );
  }
  if (summary !== null) {
    const m = failed(summary) ? null : summary;
    targets.push({
      measure: `summary --format json --offline, all ${(m?.records ?? 1_000_000).toLocaleString('en-US')} records summed, median s`,
      target: '≤ 2 s',
      value: m?.all.summary_s ?? null,
      digits: 2,
      met: m === null ? null : m.all.summary_s <= 2,
    });
  }
  if (outbound !== null) {
    const o = failed(outbound) ? null : outbound;
    targets.push(
      { measure: `send-reports --dry-run, ${(o?.evaluations ?? 1_000_000).toLocaleString('en-US')} evaluations, s`, target: '≤ 20 s', value: o?.build_s ?? null, digits: 2, met: o === null ? null : o.build_s <= 20 },
      { measure: 'send-reports peak RSS', target: 'bounded', value: o?.peak_rss_mib ?? null, digits: 1, met: null },
    );
  }
  if (serve !== null) {
    const v = failed(serve) ? null : serve;
    targets.push(
      { measure: `serve, ${v?.messages ?? 3000} messages, warm DNS cache, messages/s`, target: '≥ 300', value: v?.serve_messages_per_s ?? null, digits: 0, met: v === null ? null : v.serve_messages_per_s >= 300 },
      { measure: 'serve time / mailauth authenticate() time', target: '≤ 1.2', value: v?.ratio ?? null, digits: 2, met: v === null ? null : v.ratio <= 1.2 },
      { measure: 'same, CPU time', target: '≤ 1.2', value: v?.cpu_ratio ?? null, digits: 2, met: v?.cpu_ratio == null ? null : v.cpu_ratio <= 1.2 },
    );
  }
  console.log(render(opts, large, emails, version, targets, ctx.failures));
  if (serve !== null && !failed(serve)) {
    console.log(
      `\nserve: ${serve.messages} messages${serve.pinned ? ' (service and baseline pinned to CPU 0)' : ''}: \`ruaflow serve\` ${serve.serve_s.toFixed(2)} s = ${Math.round(serve.serve_messages_per_s)} messages/s; ` +
        `mailauth authenticate() directly ${serve.direct_s.toFixed(2)} s = ${Math.round(serve.direct_messages_per_s)} messages/s; ratio of the medians ${serve.ratio.toFixed(2)} (per pass: ${serve.pass_ratios.map((r) => r.toFixed(2)).join(', ')}); ` +
        `CPU time per pass ${serve.serve_cpu_s?.toFixed(2) ?? '?'} s vs ${serve.direct_cpu_s.toFixed(2)} s = ${serve.cpu_ratio?.toFixed(2) ?? '?'}; decisions ${JSON.stringify(serve.decisions)}`,
    );
  }
  if (poll !== null && !failed(poll)) {
    console.log(`\npoll: ${poll.messages} messages appended to a local Dovecot in ${poll.append_s.toFixed(1)} s; \`ruaflow poll\` ${poll.poll_s.toFixed(2)} s = ${Math.round(poll.messages_per_s)} messages/s, peak RSS ${poll.peak_rss_mib?.toFixed(1) ?? '?'} MiB`);
  }

  if (summary !== null && !failed(summary)) {
    console.log(`\nsummary: ${summary.records.toLocaleString('en-US')} records in ${summary.reports} reports; \`ruaflow summary --format json --offline\`, median of ${summary.all.runs}:`);
    for (const [what, r] of [['all records', summary.all], ['last week', summary.week]] as const) {
      console.log(`  ${what} (--period ${r.period}, ${r.messages.toLocaleString('en-US')} messages with the previous period): ${r.summary_s.toFixed(2)} s (min ${r.min_s.toFixed(2)}, max ${r.max_s.toFixed(2)}), peak RSS ${r.peak_rss_mib?.toFixed(1) ?? '?'} MiB`);
    }
  }

  if (outbound !== null && !failed(outbound)) {
    const o = outbound;
    console.log(`\noutbound: ${o.evaluations.toLocaleString('en-US')} evaluations over ${o.domains.toLocaleString('en-US')} policy domains (inserted in ${o.insert_s.toFixed(1)} s); \`ruaflow send-reports --dry-run\` built ${o.reports} reports (${o.output_mib.toFixed(1)} MiB gzip) in ${o.build_s.toFixed(2)} s = ${Math.round(o.evaluations_per_s)} evaluations/s, peak RSS ${o.peak_rss_mib?.toFixed(1) ?? '?'} MiB`);
  }
  if (plainXml !== null && !failed(plainXml)) {
    console.log(`\nplainxml: one report of ${plainXml.records.toLocaleString('en-US')} records (${plainXml.xml_mib.toFixed(1)} MiB of XML); \`ruaflow ingest FILE --json\`:`);
    console.log(
      table(
        ['file', 'MiB', 'wall s', 'records/s', 'peak RSS MiB'],
        plainXml.runs.map((r) => [`.${r.file}`, fixed(r.file_mib, 1), fixed(r.wall_s, 2), Math.round(r.records_per_s).toLocaleString('en-US'), fixed(r.peak_rss_mib, 1)]),
      ),
    );
  }
  mkdirSync(OUT_DIR, { recursive: true });
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    cpus: cpus().length,
    total_mem_gib: totalmem() / 1024 ** 3,
    quick: opts.quick,
    cli: relative(ROOT, opts.cli),
    rss_method: rss,
    seed: SEED,
    large,
    emails,
    version,
    poll,
    summary,
    outbound,
    serve,
    plain_xml: plainXml,
    targets,
    failures: ctx.failures,
  };
  writeFileSync(join(OUT_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  progress(`wrote ${relative(ROOT, join(OUT_DIR, 'results.json'))}`);
  return ctx.failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  },
);
