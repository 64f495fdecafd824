/**
 * A built report → what goes out (pure): its Report-ID, its file name, the gzip payload and the
 * parts of the e-mail (RFC 7489 §7.2.1.1, RFC 9990 §2.1).
 *
 * - Report-ID: `<YYYYMMDD><16 hex>`, derived from (our domain, policy domain, policy
 *   configuration, period start). Deterministic, so a report rebuilt or re-sent after a crash
 *   carries the same id (RFC 9990 §2.1: a re-sent report MUST reuse its identifiers); letters and
 *   digits only, because the same id is the file name's unique-id (`1*(ALPHA / DIGIT)`).
 * - File name: `receiver!policy-domain!begin!end!unique-id.xml.gz` (RFC 9990 §2.1, RFC 7489 §7.2.1.1).
 * - Subject: `Report Domain: D Submitter: S Report-ID: <id>`; media type application/gzip
 *   (RFC 6713); `Auto-Submitted: auto-generated` (RFC 3834 §5) so that no one auto-replies.
 * - Message-ID: `<id>.<8 hex of the address>@<our domain>`: one message per destination, each
 *   the same on every attempt.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { MessageParts } from '../mail/compose.js';

export interface ReportIdentityInput {
  readonly reporterDomain: string;
  readonly policyDomain: string;
  readonly configKey: string;
  /** Period start, epoch seconds UTC. */
  readonly begin: number;
}

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

export function reportIdFor(input: ReportIdentityInput): string {
  const day = new Date(input.begin * 1000).toISOString().slice(0, 10).replaceAll('-', '');
  const hash = sha([input.reporterDomain, input.policyDomain, input.configKey, String(input.begin)].join('\u0001')).slice(0, 16);
  return `${day}${hash}`;
}

export function reportFilename(reporterDomain: string, policyDomain: string, begin: number, end: number, reportId: string): string {
  return `${reporterDomain}!${policyDomain}!${begin}!${end}!${reportId}.xml.gz`;
}

/** gzip with a zero mtime: the same XML always makes the same bytes. */
export function gzipReport(xml: string): Buffer {
  return gzipSync(Buffer.from(xml, 'utf8'), { level: 6 });
}

export interface ReportMessageInput {
  readonly orgName: string;
  readonly fromEmail: string;
  readonly reporterDomain: string;
  readonly policyDomain: string;
  readonly reportId: string;
  readonly filename: string;
  readonly begin: number;
  readonly end: number;
  readonly format: 'rfc9990' | 'rfc7489';
  readonly payload: Uint8Array;
  readonly to: string;
  /** When the report was built: the Date header, the same on every attempt. */
  readonly builtAt: number;
}

export function subjectFor(policyDomain: string, reporterDomain: string, reportId: string): string {
  return `Report Domain: ${policyDomain} Submitter: ${reporterDomain} Report-ID: <${reportId}>`;
}

function messageIdFor(reportId: string, address: string, reporterDomain: string): string {
  return `${reportId}.${sha(address.toLowerCase()).slice(0, 8)}@${reporterDomain}`;
}

export function reportMessage(input: ReportMessageInput): MessageParts {
  const iso = (t: number): string => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
  const spec = input.format === 'rfc9990' ? 'RFC 9990' : 'RFC 7489';
  return {
    from: `"${input.orgName.replace(/["\\\r\n]/g, '')}" <${input.fromEmail}>`,
    to: [input.to],
    subject: subjectFor(input.policyDomain, input.reporterDomain, input.reportId),
    text:
      `This is a DMARC aggregate report (${spec}) from ${input.reporterDomain} about mail that claimed to be from ${input.policyDomain},\n` +
      `covering ${iso(input.begin)} to ${iso(input.end)}.\n\n` +
      `Report-ID: ${input.reportId}\n` +
      `The report is the attached file ${input.filename}.\n` +
      `You receive it because the DMARC record of ${input.policyDomain} asks for aggregate reports (rua) to this address.\n`,
    attachments: [{ filename: input.filename, content: input.payload, contentType: 'application/gzip' }],
    headers: { 'Auto-Submitted': 'auto-generated' },
    date: new Date(input.builtAt * 1000),
    messageId: messageIdFor(input.reportId, input.to, input.reporterDomain),
  };
}
