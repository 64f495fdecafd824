/**
 * Writes the demo inbox `reports/inbox/` that `npm start` (= `ruaflow run`) ingests for a newcomer.
 *
 *   npx node --import tsx scripts/make-demo-reports.ts [--out DIR]
 *
 * Seven aggregate reports about our two domains (example.com, example.org) for one week in
 * November 2026 (Mon 2 – Sun 8, UTC days), from four made-up reporters, in every container a rua
 * mailbox sees: plain .xml, .xml.gz, .zip and .eml (gzip attachment, zip attachment, multipart
 * with a text part). All names and addresses are documentation ones (RFC 2606, RFC 5737,
 * RFC 3849). Everything here is invented; nothing is copied from real reports.
 *
 * The output is byte-for-byte deterministic (test/demo/demo-inbox.test.ts regenerates and compares):
 * no clock, no randomness, gzip and zip written by fflate (pure JS, so the same bytes on every
 * platform — node's zlib may deflate differently per build or CPU) with fixed header dates.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync, strToU8, zipSync } from 'fflate';
import { DAY } from '../src/report/period.js';

// ---------------------------------------------------------------------------------------------
// The report content (data only)

type Dialect = 'rfc7489' | 'rfc9990';
type Action = 'none' | 'quarantine' | 'reject';
type Aligned = 'pass' | 'fail';

interface Reporter {
  readonly orgName: string;
  readonly email: string;
  /** The receiver's domain: Submitter in the Subject, first field of the filename. */
  readonly domain: string;
  readonly extraContactInfo?: string;
  /** Reporters disagree on where a day ends (NOTES.md §8.25): 23:59:59 or the next midnight. */
  readonly dayEnd: 'last-second' | 'next-midnight';
  readonly style: XmlStyle;
}

interface Policy {
  readonly domain: string;
  readonly adkim: 'r' | 's';
  readonly aspf: 'r' | 's';
  readonly p: Action;
  readonly sp: Action;
  readonly pct: number;
  readonly fo: string;
  /** RFC 9990 only. */
  readonly np: Action;
}

interface DkimAuth {
  readonly domain: string;
  readonly selector: string;
  readonly result: 'none' | 'pass' | 'fail' | 'policy' | 'neutral' | 'temperror' | 'permerror';
  readonly humanResult?: string;
}

interface SpfAuth {
  readonly domain: string;
  readonly result: 'none' | 'neutral' | 'pass' | 'fail' | 'softfail' | 'temperror' | 'permerror';
}

interface Reason {
  readonly type: 'forwarded' | 'mailing_list' | 'local_policy' | 'trusted_forwarder' | 'other';
  readonly comment?: string;
}

interface DemoRecord {
  /** IPv6 in full 8-group form for RFC 7489 reports: the App. C pattern rejects `::` (NOTES.md §2.3). */
  readonly sourceIp: string;
  readonly count: number;
  /** 'pass' only in RFC 9990 reports. */
  readonly disposition: Action | 'pass';
  readonly dkim: Aligned;
  readonly spf: Aligned;
  readonly reasons?: readonly Reason[];
  readonly headerFrom: string;
  readonly envelopeFrom: string;
  readonly envelopeTo?: string;
  readonly dkimAuth: readonly DkimAuth[];
  readonly spfAuth: SpfAuth;
}

interface DemoReport {
  readonly dialect: Dialect;
  readonly reporter: Reporter;
  readonly reportId: string;
  /** The UTC day reported on, 1–30 November 2026. */
  readonly day: number;
  readonly policy: Policy;
  readonly records: readonly DemoRecord[];
  /** RFC 9990 report_metadata/generator. */
  readonly generator?: string;
}

const EXAMPLE_COM: Policy = {
  domain: 'example.com',
  adkim: 'r',
  aspf: 'r',
  p: 'quarantine',
  sp: 'quarantine',
  pct: 100,
  fo: '1',
  np: 'reject',
};

const EXAMPLE_ORG: Policy = {
  domain: 'example.org',
  adkim: 's',
  aspf: 'r',
  p: 'reject',
  sp: 'reject',
  pct: 100,
  fo: '0',
  np: 'reject',
};

const PROVIDER_A: Reporter = {
  orgName: 'Mailbox Provider A',
  email: 'noreply-dmarc-support@mpa.example.net',
  domain: 'mpa.example.net',
  extraContactInfo: 'https://mpa.example.net/postmaster/dmarc',
  dayEnd: 'last-second',
  style: { declaration: '<?xml version="1.0" encoding="UTF-8" ?>', indent: '  ', newline: '\n' },
};

const PROVIDER_B: Reporter = {
  orgName: 'Mailbox Provider B',
  email: 'dmarcreport@mpb.example.net',
  domain: 'mpb.example.net',
  dayEnd: 'next-midnight',
  style: { declaration: '<?xml version="1.0"?>', indent: '\t', newline: '\r\n' },
};

/** A small self-hosted receiver (OpenDMARC-style): org_name is its host name. */
const SELF_HOSTED: Reporter = {
  orgName: 'mx.example.net',
  email: 'postmaster@mx.example.net',
  domain: 'mx.example.net',
  dayEnd: 'last-second',
  style: { declaration: '<?xml version="1.0" encoding="UTF-8"?>', indent: '', newline: '' },
};

const PROVIDER_C: Reporter = {
  orgName: 'Mailbox Provider C',
  email: 'dmarc-rua@mpc.example.net',
  domain: 'mpc.example.net',
  extraContactInfo: 'mailto:postmaster@mpc.example.net',
  dayEnd: 'last-second',
  style: { declaration: '<?xml version="1.0" encoding="UTF-8"?>', indent: '  ', newline: '\n' },
};

// Our own senders. example.com: mx1 192.0.2.10 and 2001:db8:0:25::10, dual-signed RSA + Ed25519
// (RFC 8463); a web server 192.0.2.30 that sends contact-form mail unsigned. example.org: mx2
// 192.0.2.20 and 2001:db8:0:25::20. A newsletter service (ESP) at 198.51.100.23/24 signs as
// example.com but bounces to its own domain.

function ourMx(count: number, ip: string, disposition: 'none' | 'pass' = 'none'): DemoRecord {
  return {
    sourceIp: ip,
    count,
    disposition,
    dkim: 'pass',
    spf: 'pass',
    headerFrom: 'example.com',
    envelopeFrom: 'example.com',
    dkimAuth: [
      { domain: 'example.com', selector: 'mail2026', result: 'pass' },
      { domain: 'example.com', selector: 'ed2026', result: 'pass' },
    ],
    spfAuth: { domain: 'example.com', result: 'pass' },
  };
}

function orgMx(count: number, ip: string): DemoRecord {
  return {
    sourceIp: ip,
    count,
    disposition: 'none',
    dkim: 'pass',
    spf: 'pass',
    headerFrom: 'example.org',
    envelopeFrom: 'example.org',
    dkimAuth: [{ domain: 'example.org', selector: 'mail2026', result: 'pass' }],
    spfAuth: { domain: 'example.org', result: 'pass' },
  };
}

function newsletter(count: number, ip: string, disposition: 'none' | 'pass' = 'none'): DemoRecord {
  return {
    sourceIp: ip,
    count,
    disposition,
    dkim: 'pass',
    spf: 'fail', // SPF passes for the ESP's bounce domain, which is not aligned with example.com
    headerFrom: 'example.com',
    envelopeFrom: 'bounce.esp.example.net',
    dkimAuth: [
      { domain: 'example.com', selector: 'esp2026', result: 'pass' },
      { domain: 'esp.example.net', selector: 's1', result: 'pass' },
    ],
    spfAuth: { domain: 'bounce.esp.example.net', result: 'pass' },
  };
}

function contactForm(count: number): DemoRecord {
  return {
    sourceIp: '192.0.2.30',
    count,
    disposition: 'none',
    dkim: 'fail', // unsigned: passes DMARC on SPF alone, breaks as soon as it is forwarded
    spf: 'pass',
    headerFrom: 'example.com',
    envelopeFrom: 'example.com',
    dkimAuth: [],
    spfAuth: { domain: 'example.com', result: 'pass' },
  };
}

const IPV6_MX1 = '2001:db8:0:25:0:0:0:10';
const IPV6_MX2 = '2001:db8:0:25:0:0:0:20';

export const DEMO_REPORTS: readonly DemoReport[] = [
  {
    // Mon: a clean day for example.com, plus the two things the summary should point at.
    dialect: 'rfc7489',
    reporter: PROVIDER_A,
    reportId: '14736920185573628841',
    day: 2,
    policy: EXAMPLE_COM,
    records: [ourMx(1180, '192.0.2.10'), ourMx(342, IPV6_MX1), newsletter(2750, '198.51.100.23'), contactForm(14)],
  },
  {
    // Tue: example.org (p=reject) is spoofed from 203.0.113.66/67; the receiver rejects.
    dialect: 'rfc7489',
    reporter: PROVIDER_B,
    reportId: 'a3f1c9e07b5d4e21906c8f2d4b7e1a05',
    day: 3,
    policy: EXAMPLE_ORG,
    records: [
      { ...orgMx(640, '192.0.2.20'), envelopeTo: 'mpb.example.net' },
      { ...orgMx(97, IPV6_MX2), envelopeTo: 'mpb.example.net' },
      {
        sourceIp: '203.0.113.66',
        count: 212,
        disposition: 'reject',
        dkim: 'fail',
        spf: 'fail',
        headerFrom: 'example.org',
        envelopeFrom: 'example.org',
        envelopeTo: 'mpb.example.net',
        dkimAuth: [],
        spfAuth: { domain: 'example.org', result: 'fail' },
      },
      {
        sourceIp: '203.0.113.67',
        count: 58,
        disposition: 'reject',
        dkim: 'fail',
        spf: 'fail',
        headerFrom: 'example.org',
        envelopeFrom: 'example.org',
        envelopeTo: 'mpb.example.net',
        dkimAuth: [{ domain: 'example.org', selector: 'selector1', result: 'fail' }],
        spfAuth: { domain: 'example.org', result: 'fail' },
      },
    ],
  },
  {
    // Wed: a forwarded message: SPF fails at the forwarder, the DKIM signature survives.
    dialect: 'rfc7489',
    reporter: PROVIDER_A,
    reportId: '9182736450019283746',
    day: 4,
    policy: EXAMPLE_COM,
    records: [
      ourMx(1233, '192.0.2.10'),
      ourMx(360, IPV6_MX1),
      newsletter(2918, '198.51.100.24'),
      {
        sourceIp: '198.51.100.77',
        count: 21,
        disposition: 'none',
        dkim: 'pass',
        spf: 'fail',
        reasons: [{ type: 'forwarded', comment: 'alias forwarding via fwd.example.net' }],
        headerFrom: 'example.com',
        envelopeFrom: 'example.com',
        dkimAuth: [
          { domain: 'example.com', selector: 'mail2026', result: 'pass' },
          { domain: 'example.com', selector: 'ed2026', result: 'pass' },
        ],
        spfAuth: { domain: 'example.com', result: 'fail' },
      },
      contactForm(11),
    ],
  },
  {
    // Thu: example.com (p=quarantine) spoofed over IPv4 and IPv6; the receiver quarantines.
    dialect: 'rfc7489',
    reporter: PROVIDER_B,
    reportId: '5c0e8b3a1f2d47c69e0b7a6d3c2f1e84',
    day: 5,
    policy: EXAMPLE_COM,
    records: [
      ourMx(892, '192.0.2.10'),
      ourMx(201, IPV6_MX1),
      newsletter(1904, '198.51.100.23'),
      {
        sourceIp: '203.0.113.99',
        count: 37,
        disposition: 'quarantine',
        dkim: 'fail',
        spf: 'fail',
        headerFrom: 'example.com',
        envelopeFrom: 'example.com',
        dkimAuth: [],
        spfAuth: { domain: 'example.com', result: 'fail' },
      },
      {
        sourceIp: '2001:db8:dead:0:0:0:0:7',
        count: 5,
        disposition: 'quarantine',
        dkim: 'fail',
        spf: 'fail',
        headerFrom: 'example.com',
        envelopeFrom: 'example.com',
        dkimAuth: [
          { domain: 'example.com', selector: 'mail2026', result: 'fail', humanResult: 'body hash did not verify' },
        ],
        spfAuth: { domain: 'example.com', result: 'fail' },
      },
    ],
  },
  {
    // Fri: a small self-hosted receiver: a mailing list breaks our signature (p=reject overridden)
    // and the Tuesday spoofer shows up again.
    dialect: 'rfc7489',
    reporter: SELF_HOSTED,
    reportId: '20261106000131',
    day: 6,
    policy: EXAMPLE_ORG,
    records: [
      orgMx(12, '192.0.2.20'),
      {
        sourceIp: '198.51.100.150',
        count: 4,
        disposition: 'none',
        dkim: 'fail',
        spf: 'fail',
        reasons: [{ type: 'mailing_list', comment: 'lists.example.net' }],
        headerFrom: 'example.org',
        envelopeFrom: 'lists.example.net',
        dkimAuth: [
          { domain: 'example.org', selector: 'mail2026', result: 'fail' },
          { domain: 'lists.example.net', selector: 'list2026', result: 'pass' },
        ],
        spfAuth: { domain: 'lists.example.net', result: 'pass' },
      },
      {
        sourceIp: '203.0.113.66',
        count: 9,
        disposition: 'reject',
        dkim: 'fail',
        spf: 'fail',
        headerFrom: 'example.org',
        envelopeFrom: 'example.org',
        dkimAuth: [],
        spfAuth: { domain: 'example.org', result: 'fail' },
      },
    ],
  },
  {
    // Sat: RFC 9990 dialect: namespace, disposition "pass", np applied to a non-existent
    // subdomain, compressed IPv6, discovery_method, testing, generator, no pct.
    dialect: 'rfc9990',
    reporter: PROVIDER_C,
    reportId: 'c7e4d2b19a8f4f60b3e5d1a2c9087f6e',
    day: 7,
    policy: EXAMPLE_COM,
    generator: 'Provider C Mail Platform dmarc-reporter 4.1.0',
    records: [
      ourMx(455, '192.0.2.10', 'pass'),
      ourMx(120, '2001:db8:0:25::10', 'pass'),
      newsletter(1311, '198.51.100.23', 'pass'),
      {
        sourceIp: '203.0.113.120',
        count: 16,
        disposition: 'reject',
        dkim: 'fail',
        spf: 'fail',
        headerFrom: 'billing.example.com',
        envelopeFrom: 'billing.example.com',
        dkimAuth: [],
        spfAuth: { domain: 'billing.example.com', result: 'none' },
      },
    ],
  },
  {
    // Sun: a helpdesk service sends as example.org but signs and bounces with its own domain:
    // authenticated, not aligned, so rejected — the fix is a DKIM key for example.org there.
    dialect: 'rfc7489',
    reporter: PROVIDER_A,
    reportId: '3306218874512209657',
    day: 8,
    policy: EXAMPLE_ORG,
    records: [
      orgMx(588, '192.0.2.20'),
      orgMx(73, IPV6_MX2),
      {
        sourceIp: '198.51.100.200',
        count: 26,
        disposition: 'reject',
        dkim: 'fail',
        spf: 'fail',
        headerFrom: 'example.org',
        envelopeFrom: 'helpdesk.example.net',
        dkimAuth: [{ domain: 'helpdesk.example.net', selector: 'hd1', result: 'pass' }],
        spfAuth: { domain: 'helpdesk.example.net', result: 'pass' },
      },
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// Rendering: XML

interface XmlStyle {
  readonly declaration: string;
  /** '' together with newline '' writes the whole document on one line. */
  readonly indent: string;
  readonly newline: string;
}

interface XmlElement {
  readonly name: string;
  readonly attrs?: Readonly<Record<string, string>>;
  readonly children: readonly (XmlElement | string)[];
}

type Child = XmlElement | string | number | undefined | false;

function el(name: string, ...children: readonly Child[]): XmlElement {
  const kept: (XmlElement | string)[] = [];
  for (const c of children) {
    if (c === undefined || c === false) continue;
    kept.push(typeof c === 'number' ? String(c) : c);
  }
  return { name, children: kept };
}

const XML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => XML_ESCAPES[c] ?? c);
}

function renderXml(root: XmlElement, style: XmlStyle): string {
  const lines: string[] = [style.declaration];
  const walk = (node: XmlElement, depth: number): void => {
    const pad = style.indent.repeat(depth);
    const attrs = Object.entries(node.attrs ?? {})
      .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
      .join('');
    if (node.children.every((c) => typeof c === 'string')) {
      lines.push(`${pad}<${node.name}${attrs}>${escapeXml(node.children.join(''))}</${node.name}>`);
      return;
    }
    lines.push(`${pad}<${node.name}${attrs}>`);
    for (const c of node.children) {
      if (typeof c === 'string') throw new Error(`mixed content in <${node.name}>`);
      walk(c, depth + 1);
    }
    lines.push(`${pad}</${node.name}>`);
  };
  walk(root, 0);
  return lines.join(style.newline) + (style.newline || '\n');
}

function dayBegin(day: number): number {
  return Date.UTC(2026, 10, day) / 1000;
}

function reportRange(r: DemoReport): { begin: number; end: number } {
  const begin = dayBegin(r.day);
  return { begin, end: r.reporter.dayEnd === 'last-second' ? begin + DAY - 1 : begin + DAY };
}

function reportXml(r: DemoReport): string {
  const { begin, end } = reportRange(r);
  const bis = r.dialect === 'rfc9990';
  const p = r.policy;
  const metadata = el(
    'report_metadata',
    el('org_name', r.reporter.orgName),
    el('email', r.reporter.email),
    r.reporter.extraContactInfo !== undefined && el('extra_contact_info', r.reporter.extraContactInfo),
    el('report_id', r.reportId),
    el('date_range', el('begin', begin), el('end', end)),
    bis && r.generator !== undefined && el('generator', r.generator),
  );
  // RFC 9990 drops pct and adds np, discovery_method and testing (NOTES.md §3).
  const policy = bis
    ? el(
        'policy_published',
        el('domain', p.domain),
        el('discovery_method', 'treewalk'),
        el('p', p.p),
        el('sp', p.sp),
        el('np', p.np),
        el('adkim', p.adkim),
        el('aspf', p.aspf),
        el('fo', p.fo),
        el('testing', 'n'),
      )
    : el(
        'policy_published',
        el('domain', p.domain),
        el('adkim', p.adkim),
        el('aspf', p.aspf),
        el('p', p.p),
        el('sp', p.sp),
        el('pct', p.pct),
        el('fo', p.fo),
      );
  const records = r.records.map((rec) =>
    el(
      'record',
      el(
        'row',
        el('source_ip', rec.sourceIp),
        el('count', rec.count),
        el(
          'policy_evaluated',
          el('disposition', rec.disposition),
          el('dkim', rec.dkim),
          el('spf', rec.spf),
          ...(rec.reasons ?? []).map((reason) =>
            el('reason', el('type', reason.type), reason.comment !== undefined && el('comment', reason.comment)),
          ),
        ),
      ),
      bis
        ? el(
            'identifiers',
            el('header_from', rec.headerFrom),
            el('envelope_from', rec.envelopeFrom),
            rec.envelopeTo !== undefined && el('envelope_to', rec.envelopeTo),
          )
        : el(
            'identifiers',
            rec.envelopeTo !== undefined && el('envelope_to', rec.envelopeTo),
            el('envelope_from', rec.envelopeFrom),
            el('header_from', rec.headerFrom),
          ),
      el(
        'auth_results',
        ...rec.dkimAuth.map((d) =>
          el(
            'dkim',
            el('domain', d.domain),
            el('selector', d.selector),
            el('result', d.result),
            d.humanResult !== undefined && el('human_result', d.humanResult),
          ),
        ),
        el('spf', el('domain', rec.spfAuth.domain), el('scope', 'mfrom'), el('result', rec.spfAuth.result)),
      ),
    ),
  );
  const root = el('feedback', el('version', '1.0'), metadata, policy, ...records);
  const withNs: XmlElement = bis ? { ...root, attrs: { xmlns: 'urn:ietf:params:xml:ns:dmarc-2.0' } } : root;
  return renderXml(withNs, r.reporter.style);
}

// ---------------------------------------------------------------------------------------------
// Rendering: containers and messages

/** RFC 7489 §7.2.1.1 filename: receiver!policy-domain!begin!end[!unique-id].ext */
function reportFilename(r: DemoReport, ext: string, withId = true): string {
  const { begin, end } = reportRange(r);
  const id = withId ? `!${r.reportId}` : '';
  return `${r.reporter.domain}!${r.policy.domain}!${begin}!${end}${id}.${ext}`;
}

/** The report "was written" shortly after its period ends; used for gzip/zip/e-mail dates. */
/** .eml files are named after the day they report on (they arrive the morning after). */
function messageFilename(r: DemoReport): string {
  return `report-2026-11-${String(r.day).padStart(2, '0')}-${r.reporter.domain}-${r.policy.domain}.eml`;
}

function sentAt(r: DemoReport): number {
  const { begin } = reportRange(r);
  return begin + DAY + 2 * 3600 + 17 * 60 + 3 * r.day;
}

function gzip(xml: string, filename: string, mtime: number): Uint8Array {
  return gzipSync(strToU8(xml), { level: 9, mtime: mtime * 1000, filename });
}

function zip(xml: string, entryName: string, mtime: number): Uint8Array {
  // fflate writes the DOS date from the *local* date fields, so build a Date whose local fields
  // are the UTC wall-clock time we want: the bytes are then the same in every time zone.
  const t = new Date(mtime * 1000);
  const local = new Date(
    t.getUTCFullYear(),
    t.getUTCMonth(),
    t.getUTCDate(),
    t.getUTCHours(),
    t.getUTCMinutes(),
    t.getUTCSeconds(),
  );
  return zipSync({ [entryName]: [strToU8(xml), { level: 9, mtime: local }] });
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** RFC 5322 §3.3 date-time in UTC. */
function mailDate(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${WEEKDAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}

function isoUtc(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace('T', ' ').replace('.000Z', ' UTC');
}

function base64Lines(bytes: Uint8Array): string[] {
  const b64 = Buffer.from(bytes).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines;
}

/** RFC 7489 §7.2.1.1 Subject, folded before Report-ID when the line would pass 78 characters. */
function subjectLines(r: DemoReport): string[] {
  const head = `Subject: Report Domain: ${r.policy.domain} Submitter: ${r.reporter.domain}`;
  const tail = `Report-ID: <${r.reportId}>`;
  return head.length + 1 + tail.length <= 78 ? [`${head} ${tail}`] : [head, ` ${tail}`];
}

interface Attachment {
  readonly contentType: string;
  readonly filename: string;
  readonly bytes: Uint8Array;
}

function attachmentPart(a: Attachment): string[] {
  return [
    // Folded after the `;` to keep header lines short (RFC 5322 §2.2.3).
    `Content-Type: ${a.contentType};`,
    ` name="${a.filename}"`,
    'Content-Disposition: attachment;',
    ` filename="${a.filename}"`,
    'Content-Transfer-Encoding: base64',
    '',
    ...base64Lines(a.bytes),
  ];
}

type MessageShape =
  | { readonly kind: 'single'; readonly attachment: Attachment }
  | { readonly kind: 'mixed'; readonly text?: string; readonly attachment: Attachment };

/** A report e-mail per RFC 7489 §7.2.1.1 / RFC 9990, CRLF line ends as on the wire. */
function reportMessage(r: DemoReport, shape: MessageShape, senderIp: string): string {
  const at = sentAt(r);
  const from = r.reporter.email;
  const header = [
    `Return-Path: <${from}>`,
    `Received: from out.${r.reporter.domain} (out.${r.reporter.domain} [${senderIp}])`,
    `\tby mx1.example.com with ESMTPS; ${mailDate(at + 2)}`,
    `From: "${r.reporter.orgName}" <${from}>`,
    'To: dmarc-reports@example.com',
    ...subjectLines(r),
    `Date: ${mailDate(at)}`,
    `Message-ID: <${r.reportId}@${r.reporter.domain}>`,
    'MIME-Version: 1.0',
  ];
  let body: string[];
  if (shape.kind === 'single') {
    body = attachmentPart(shape.attachment);
  } else {
    const boundary = `----=_Part_${r.reportId.slice(0, 12)}_${r.day}`;
    body = [
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      'This is a multi-part message in MIME format.',
      '',
    ];
    if (shape.text !== undefined) {
      body.push(
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 7bit',
        '',
        ...shape.text.split('\n'),
        '',
      );
    }
    body.push(`--${boundary}`, ...attachmentPart(shape.attachment), '', `--${boundary}--`);
  }
  return [...header, ...body, ''].join('\r\n');
}

function coverText(r: DemoReport): string {
  const { begin, end } = reportRange(r);
  return [
    `This is a DMARC aggregate report from ${r.reporter.orgName} (RFC 9990 format).`,
    '',
    `Report domain: ${r.policy.domain}`,
    `Submitter:     ${r.reporter.domain}`,
    `Report-ID:     <${r.reportId}>`,
    `Period:        ${isoUtc(begin)} to ${isoUtc(end)}`,
    '',
    'The report is attached as a gzip-compressed XML file.',
    `Questions: ${r.reporter.email}`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// The inbox

export interface DemoFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The report inside, for the README table (none for README.md itself). */
  readonly report?: DemoReport;
  /** One line for the README: what this file shows. */
  readonly shows: string;
}

function report(index: number): DemoReport {
  const r = DEMO_REPORTS[index];
  if (r === undefined) throw new Error(`no demo report ${index}`);
  return r;
}

/** Every file of the demo inbox, in README order. Pure: same bytes on every run. */
export function buildDemoInbox(): DemoFile[] {
  const files: DemoFile[] = [];

  const mon = report(0);
  files.push({
    report: mon,
    name: reportFilename(mon, 'xml', false),
    bytes: strToU8(reportXml(mon)),
    shows:
      'plain RFC 7489 XML (no unique-id in the filename). example.com on a normal day: our mail servers (IPv4 and ' +
      'IPv6, two DKIM signatures each), a newsletter service that passes on DKIM only, and an unsigned ' +
      'web server that passes on SPF only.',
  });

  const tue = report(1);
  const tueXml = reportXml(tue);
  const tueXmlName = reportFilename(tue, 'xml');
  files.push({
    report: tue,
    name: reportFilename(tue, 'xml.gz'),
    bytes: gzip(tueXml, tueXmlName, sentAt(tue)),
    shows:
      'gzip-compressed RFC 7489 XML with CRLF line ends and tab indentation, day ending at the next midnight. ' +
      'example.org (p=reject) spoofed from 203.0.113.66 and .67: DKIM and SPF fail, disposition reject.',
  });

  const wed = report(2);
  files.push({
    report: wed,
    name: reportFilename(wed, 'zip', false),
    bytes: zip(reportXml(wed), reportFilename(wed, 'xml', false), sentAt(wed)),
    shows:
      'zip archive with one XML entry (not in the RFC, but how several big providers send). Includes a ' +
      'forwarded message: SPF fail, DKIM pass, reason "forwarded".',
  });

  const thu = report(3);
  files.push({
    report: thu,
    name: messageFilename(thu),
    bytes: strToU8(
      reportMessage(
        thu,
        {
          kind: 'single',
          attachment: {
            contentType: 'application/gzip',
            filename: reportFilename(thu, 'xml.gz'),
            bytes: gzip(reportXml(thu), reportFilename(thu, 'xml'), sentAt(thu)),
          },
        },
        '203.0.113.25',
      ),
    ),
    shows:
      'report e-mail whose whole body is the application/gzip attachment (base64), Subject folded before ' +
      'Report-ID. example.com (p=quarantine) spoofed from 203.0.113.99 and 2001:db8:dead::7: quarantined.',
  });

  const fri = report(4);
  files.push({
    report: fri,
    name: messageFilename(fri),
    bytes: strToU8(
      reportMessage(
        fri,
        {
          kind: 'mixed',
          attachment: {
            contentType: 'application/zip',
            filename: reportFilename(fri, 'zip'),
            bytes: zip(reportXml(fri), reportFilename(fri, 'xml'), sentAt(fri)),
          },
        },
        '198.51.100.2',
      ),
    ),
    shows:
      'multipart/mixed e-mail with an application/zip attachment from a small self-hosted receiver that ' +
      'writes its XML on one line. A mailing list breaks our DKIM signature (reason mailing_list), and ' +
      "Tuesday's spoofer 203.0.113.66 is back.",
  });

  const sat = report(5);
  files.push({
    report: sat,
    name: messageFilename(sat),
    bytes: strToU8(
      reportMessage(
        sat,
        {
          kind: 'mixed',
          text: coverText(sat),
          attachment: {
            contentType: 'application/gzip',
            filename: reportFilename(sat, 'xml.gz'),
            bytes: gzip(reportXml(sat), reportFilename(sat, 'xml'), sentAt(sat)),
          },
        },
        '203.0.113.201',
      ),
    ),
    shows:
      'multipart/mixed e-mail with a text/plain part and an application/gzip attachment, carrying an ' +
      'RFC 9990 report (dmarc-2.0 namespace, generator, discovery_method, np, testing, disposition "pass", ' +
      'compressed IPv6). A non-existent subdomain billing.example.com is spoofed and rejected under np=reject.',
  });

  const sun = report(6);
  const sunXmlName = reportFilename(sun, 'xml');
  files.push({
    report: sun,
    name: reportFilename(sun, 'xml.gz'),
    bytes: gzip(reportXml(sun), sunXmlName, sentAt(sun)),
    shows:
      'gzip-compressed RFC 7489 XML. A helpdesk service (198.51.100.200) sends as example.org and passes ' +
      'DKIM and SPF for its own domain, but nothing is aligned: rejected. The fix is an example.org DKIM key there.',
  });

  files.push({ name: 'README.md', bytes: strToU8(readme(files)), shows: '' });
  // Keep git from touching line ends: the test compares these files byte for byte.
  files.push({ name: '.gitattributes', bytes: strToU8('* -text\n'), shows: '' });
  return files;
}

function readme(files: readonly DemoFile[]): string {
  const rows = files.flatMap((f) => {
    const r = f.report;
    if (r === undefined) return [];
    const weekday = WEEKDAYS[new Date(dayBegin(r.day) * 1000).getUTCDay()] ?? '';
    const messages = r.records.reduce((sum, rec) => sum + rec.count, 0);
    const format = r.dialect === 'rfc9990' ? 'RFC 9990' : 'RFC 7489';
    return [
      `| \`${f.name}\` | ${weekday} ${r.day} Nov | ${r.reporter.orgName} | ${r.policy.domain} | ${format} | ` +
        `${r.records.length} / ${messages} | ${f.shows} |`,
    ];
  });
  return [
    '# Demo inbox',
    '',
    'Generated by `npx node --import tsx scripts/make-demo-reports.ts` — do not edit by hand;',
    'change the script and rerun it. `test/demo/demo-inbox.test.ts` checks that these files are',
    'exactly what the script writes and that every report validates against its XSD in `schema/xsd/`.',
    '',
    '`npm start` (`ruaflow run` without a configuration) ingests this folder and prints the summary.',
    '',
    'Seven invented aggregate reports about our two domains, **example.com** (p=quarantine) and',
    '**example.org** (p=reject), for the week Monday 2 – Sunday 8 November 2026 (one UTC day each),',
    'from four made-up reporters: Mailbox Provider A (mpa.example.net), Mailbox Provider B',
    '(mpb.example.net), Mailbox Provider C (mpc.example.net, RFC 9990 format) and a self-hosted',
    'receiver mx.example.net. All names and addresses are documentation ones (RFC 2606, RFC 5737,',
    'RFC 3849).',
    '',
    '| file | day (UTC) | reporter | policy domain | format | records / messages | what it demonstrates |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'The sending sources, and what a summary should say about them:',
    '',
    '| source | who | expected verdict |',
    '|---|---|---|',
    '| 192.0.2.10, 2001:db8:0:25::10 | our mail server for example.com (DKIM selectors mail2026 + ed2026) | ours, passing |',
    '| 192.0.2.20, 2001:db8:0:25::20 | our mail server for example.org (selector mail2026) | ours, passing |',
    '| 192.0.2.30 | our web server, contact-form mail, unsigned | ours, passes on SPF only: sign it |',
    '| 198.51.100.23, 198.51.100.24 | newsletter service (esp.example.net), signs as example.com | service, passes on DKIM |',
    '| 198.51.100.77 | alias forwarder fwd.example.net | forwarded, DKIM survives |',
    '| 198.51.100.150 | mailing list lists.example.net | mailing list, breaks DKIM |',
    '| 198.51.100.200 | helpdesk service helpdesk.example.net | service, not aligned: rejected |',
    '| 203.0.113.66, 203.0.113.67, 203.0.113.99, 203.0.113.120, 2001:db8:dead::7 | unknown | spoofing: rejected / quarantined |',
    '',
  ].join('\n');
}

export function writeDemoInbox(outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const files = buildDemoInbox();
  for (const f of files) writeFileSync(join(outDir, f.name), f.bytes);
  return files.map((f) => f.name);
}

function main(argv: readonly string[]): void {
  const i = argv.indexOf('--out');
  const outArg = i >= 0 ? argv[i + 1] : undefined;
  if (i >= 0 && outArg === undefined) throw new Error('--out needs a directory');
  const outDir = resolve(outArg ?? join(import.meta.dirname, '..', 'reports', 'inbox'));
  const names = writeDemoInbox(outDir);
  console.log(`wrote ${names.length} files to ${outDir}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2));
}
