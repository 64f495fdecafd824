/**
 * Bench inputs: synthetic but realistic aggregate reports and report e-mails, built by string
 * concatenation so that 100k records (~90 MB of XML) take well under a second. Pure: every function
 * takes a seed and returns strings or bytes, the same ones on every run; bench/run.ts writes them.
 */
import { gzipSync } from 'node:zlib';

/** mulberry32: a tiny seeded PRNG; [0, 1). Deterministic bench inputs, not cryptography. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;

function int(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[int(rng, items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** A public-looking IPv4 address (synthetic, any range but 0/8, 10/8, 127/8 and ≥ 224/8). */
function ipv4(rng: Rng): string {
  let first = 1 + int(rng, 222);
  if (first === 10 || first === 127) first += 1;
  return `${first}.${int(rng, 256)}.${int(rng, 256)}.${1 + int(rng, 254)}`;
}

/** An address in 2001:db8::/32 (RFC 3849), in compressed form as most reporters write it. */
function ipv6(rng: Rng): string {
  const h = (): string => int(rng, 0x10000).toString(16);
  return rng() < 0.5 ? `2001:db8:${h()}:${h()}::${h()}` : `2001:db8:${h()}:${h()}:${h()}:${h()}:${h()}:${h()}`;
}

export interface ReportSpec {
  readonly seed: number;
  readonly records: number;
  readonly orgName: string;
  readonly email: string;
  readonly reportId: string;
  readonly policyDomain: string;
  /** epoch seconds; the report covers one day from here */
  readonly begin: number;
}

const DKIM_RESULTS = ['pass', 'pass', 'pass', 'pass', 'fail', 'none', 'temperror', 'permerror', 'neutral'] as const;
const SPF_RESULTS = ['pass', 'pass', 'pass', 'fail', 'softfail', 'neutral', 'none', 'temperror', 'permerror'] as const;
const SELECTORS = ['mail2026', 'ed2026', 's1', 's2', 'selector1', 'selector2', 'google', 'k1', 'default', 'mta'] as const;
const SERVICES = [
  'esp.example.net',
  'crm.example.net',
  'helpdesk.example.net',
  'bounce.mailer.example.net',
  'lists.example.net',
  'cloud.example.net',
] as const;
const RECEIVERS = ['mpa.example.net', 'mpb.example.net', 'mpc.example.net', 'hosted.example.net'] as const;

/** One `<record>` with row, identifiers and auth_results (two DKIM results, one SPF result). */
function recordXml(rng: Rng, policyDomain: string): string {
  const ip = rng() < 0.8 ? ipv4(rng) : ipv6(rng);
  const count = rng() < 0.6 ? 1 : 1 + int(rng, rng() < 0.9 ? 50 : 5000);
  const headerFrom = rng() < 0.7 ? policyDomain : `${pick(rng, ['mail', 'news', 'app', 'billing'])}.${policyDomain}`;
  const service = pick(rng, SERVICES);
  const envelopeFrom = rng() < 0.6 ? headerFrom : service;
  const dkim1 = pick(rng, DKIM_RESULTS);
  const dkim2 = pick(rng, DKIM_RESULTS);
  const spf = pick(rng, SPF_RESULTS);
  const dkimAligned = dkim1 === 'pass' ? 'pass' : 'fail';
  const spfAligned = spf === 'pass' && envelopeFrom === headerFrom ? 'pass' : 'fail';
  const pass = dkimAligned === 'pass' || spfAligned === 'pass';
  const disposition = pass ? 'none' : pick(rng, ['none', 'quarantine', 'reject']);
  const reason =
    !pass && disposition === 'none'
      ? `
        <reason>
          <type>${pick(rng, ['forwarded', 'mailing_list', 'local_policy'])}</type>
        </reason>`
      : '';
  const human = dkim1 === 'fail' ? `\n        <human_result>signature verification failed</human_result>` : '';
  return `
  <record>
    <row>
      <source_ip>${ip}</source_ip>
      <count>${count}</count>
      <policy_evaluated>
        <disposition>${disposition}</disposition>
        <dkim>${dkimAligned}</dkim>
        <spf>${spfAligned}</spf>${reason}
      </policy_evaluated>
    </row>
    <identifiers>
      <envelope_to>${pick(rng, RECEIVERS)}</envelope_to>
      <envelope_from>${envelopeFrom}</envelope_from>
      <header_from>${headerFrom}</header_from>
    </identifiers>
    <auth_results>
      <dkim>
        <domain>${headerFrom}</domain>
        <selector>${pick(rng, SELECTORS)}</selector>
        <result>${dkim1}</result>${human}
      </dkim>
      <dkim>
        <domain>${service}</domain>
        <selector>${pick(rng, SELECTORS)}</selector>
        <result>${dkim2}</result>
      </dkim>
      <spf>
        <domain>${envelopeFrom}</domain>
        <scope>mfrom</scope>
        <result>${spf}</result>
      </spf>
    </auth_results>
  </record>`;
}

/** An RFC 7489 aggregate report with `spec.records` records (~900 bytes each). */
export function aggregateReportXml(spec: ReportSpec): string {
  const rng = createRng(spec.seed);
  const parts: string[] = [
    `<?xml version="1.0" encoding="UTF-8" ?>
<feedback>
  <version>1.0</version>
  <report_metadata>
    <org_name>${spec.orgName}</org_name>
    <email>${spec.email}</email>
    <report_id>${spec.reportId}</report_id>
    <date_range>
      <begin>${spec.begin}</begin>
      <end>${spec.begin + 86_399}</end>
    </date_range>
  </report_metadata>
  <policy_published>
    <domain>${spec.policyDomain}</domain>
    <adkim>r</adkim>
    <aspf>r</aspf>
    <p>reject</p>
    <sp>quarantine</sp>
    <pct>100</pct>
    <fo>1</fo>
  </policy_published>`,
  ];
  for (let i = 0; i < spec.records; i++) parts.push(recordXml(rng, spec.policyDomain));
  parts.push('\n</feedback>\n');
  return parts.join('');
}

/** gzip as reporters send it; level 6 (zlib's default) is what most of them use. */
export function gzipXml(xml: string): Uint8Array {
  return gzipSync(xml, { level: 6 });
}

/** The `large` inputs: one report of `records` records from a big mailbox provider. */
export function largeReport(records: number, seed = 7489): { name: string; xml: string } {
  const begin = Date.UTC(2026, 10, 2) / 1000;
  const reportId = `bench${records}r${seed}`;
  const xml = aggregateReportXml({
    seed: seed + records,
    records,
    orgName: 'Mailbox Provider A',
    email: 'noreply-dmarc-support@mpa.example.net',
    reportId,
    policyDomain: 'example.com',
    begin,
  });
  return { name: `mpa.example.net!example.com!${begin}!${begin + 86_399}!${reportId}.xml.gz`, xml };
}

function base64Body(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join('\r\n');
}

function mailDate(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toUTCString().replace('GMT', '+0000');
}

/**
 * Report e-mail number `index` of a corpus: a gzipped 1–20-record report as a base64
 * application/gzip attachment, from one of `reporters` reporters, with a unique report id.
 */
export function reportEmail(index: number, seed: number, reporters = 50): { name: string; bytes: Uint8Array } {
  const rng = createRng(seed * 1_000_003 + index);
  const reporter = `reporter${String(index % reporters).padStart(2, '0')}.example.net`;
  const policyDomain = pick(rng, ['example.com', 'example.org', 'example.net']);
  const begin = Date.UTC(2026, 10, 1) / 1000 + 86_400 * Math.floor(index / reporters);
  const reportId = `${seed}x${index}x${int(rng, 1e9)}`;
  const xml = aggregateReportXml({
    seed: seed + index,
    records: 1 + int(rng, 20),
    orgName: `Mailbox Provider ${reporter.slice(8, 10)}`,
    email: `dmarc@${reporter}`,
    reportId,
    policyDomain,
    begin,
  });
  const filename = `${reporter}!${policyDomain}!${begin}!${begin + 86_399}!${reportId}.xml.gz`;
  const message = [
    `From: dmarc@${reporter}`,
    'To: dmarc-reports@example.com',
    `Subject: Report Domain: ${policyDomain} Submitter: ${reporter} Report-ID: <${reportId}>`,
    `Date: ${mailDate(begin + 86_400 + 3600)}`,
    `Message-ID: <${reportId}@${reporter}>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="bench-boundary"',
    '',
    '--bench-boundary',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    `DMARC aggregate report for ${policyDomain} from ${reporter}.`,
    '',
    '--bench-boundary',
    `Content-Type: application/gzip; name="${filename}"`,
    `Content-Disposition: attachment; filename="${filename}"`,
    'Content-Transfer-Encoding: base64',
    '',
    base64Body(gzipXml(xml)),
    '--bench-boundary--',
    '',
  ].join('\r\n');
  return { name: `msg${String(index).padStart(5, '0')}.eml`, bytes: Buffer.from(message, 'utf8') };
}
