/**
 * The plainxml scenario of `npm run bench -- --only=plainxml`: one large report ingested as a
 * plain .xml file and, beside it, the same report as .xml.gz, each into a fresh database, with
 * wall time and peak RSS of the whole `ruaflow ingest FILE --json` child process. Issue 12 #11:
 * a plain file was read whole into memory (421 MB of XML peaked at 560 MB RSS, the same report
 * gzipped at 167 MB); read from disk piece by piece, the two should cost about the same.
 *
 * Full: 500,000 records (~420 MB of XML, the size of the report); --quick: 50,000.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipXml, largeReport } from './generate.js';
import { measure, type RssMethod } from './measure.js';

export interface PlainXmlRun {
  readonly file: 'xml' | 'xml.gz';
  readonly file_mib: number;
  readonly wall_s: number;
  readonly peak_rss_mib: number | null;
  readonly records_per_s: number;
}

export interface PlainXmlResult {
  readonly records: number;
  readonly xml_mib: number;
  readonly generate_s: number;
  readonly runs: readonly PlainXmlRun[];
}

const MiB = 1024 * 1024;
const CHILD_TIMEOUT_MS = 30 * 60 * 1000;

export async function benchPlainXml(options: {
  cli: string;
  root: string;
  quick: boolean;
  rss: RssMethod;
  tmp: string;
  seed: number;
  log: (line: string) => void;
}): Promise<PlainXmlResult> {
  const records = options.quick ? 50_000 : 500_000;
  const started = performance.now();
  const report = largeReport(records, options.seed);
  const xmlPath = join(options.tmp, report.name.replace(/\.gz$/, ''));
  writeFileSync(xmlPath, report.xml);
  const xmlBytes = Buffer.byteLength(report.xml);
  const gz = gzipXml(report.xml);
  const gzPath = join(options.tmp, report.name);
  writeFileSync(gzPath, gz);
  const generate_s = (performance.now() - started) / 1000;
  options.log(`plainxml ${records}: ${(xmlBytes / MiB).toFixed(1)} MiB XML, ${(gz.length / MiB).toFixed(2)} MiB gz, generated in ${generate_s.toFixed(1)} s`);

  const runs: PlainXmlRun[] = [];
  for (const [file, path, size] of [
    ['xml', xmlPath, xmlBytes],
    ['xml.gz', gzPath, gz.length],
  ] as const) {
    const db = join(options.tmp, `plainxml-${file}.sqlite`);
    const m = await measure([options.cli, 'ingest', path, '--db', db, '--json'], { cwd: options.root, rss: options.rss, scratch: options.tmp, timeoutMs: CHILD_TIMEOUT_MS });
    if (m.status !== 0) throw new Error(`ingest of the .${file} file exited ${m.status ?? m.signal}: ${m.stderr.trim().slice(0, 500)}`);
    const out = JSON.parse(m.stdout) as { new: number; invalid: number };
    if (out.new !== 1 || out.invalid !== 0) throw new Error(`ingest of the .${file} file: expected 1 new report, got ${m.stdout.trim().slice(0, 300)}`);
    const wall_s = m.wallMs / 1000;
    const peak_rss_mib = m.peakRssKiB === null ? null : m.peakRssKiB / 1024;
    options.log(`  .${file}: ${wall_s.toFixed(2)} s, peak RSS ${peak_rss_mib?.toFixed(1) ?? '?'} MiB`);
    runs.push({ file, file_mib: size / MiB, wall_s, peak_rss_mib, records_per_s: records / wall_s });
  }
  return { records, xml_mib: xmlBytes / MiB, generate_s, runs };
}
