/**
 * Messages that are not aggregate reports, recognised so they are set aside with a reason rather
 * than rejected as broken reports: DMARC failure reports (`ruf`, ARF), SMTP TLS reports, bounces
 * and receipts, and mail with no report in it at all.
 */
import type { MimeMessage } from './mime-message.js';

export const NOT_AGGREGATE_REASONS = ['failure-report', 'tls-report', 'no-report'] as const;
export type NotAggregateReason = (typeof NOT_AGGREGATE_REASONS)[number];

export interface Verdict {
  readonly reason: NotAggregateReason;
  readonly detail: string;
}

/** Leaf types that make a message a report of another kind. */
const FAILURE_PART = 'message/feedback-report'; // RFC 5965 §2 (ARF), used by RFC 7489 §7.3 / RFC 9991
const TLS_PARTS = new Set(['application/tlsrpt+gzip', 'application/tlsrpt+json']); // RFC 8460 §5.3
const STATUS_PARTS = new Set(['message/delivery-status', 'message/global-delivery-status']); // RFC 3464, RFC 6533
const RECEIPT_PARTS = new Set(['message/disposition-notification', 'message/global-disposition-notification']); // RFC 8098

/**
 * Decided from the structure alone, before looking for payloads. A bounce (DSN) matters here:
 * it often carries the returned message — possibly one of our own outgoing reports, with its
 * gzip attached — which must not be ingested as a report sent to us.
 */
export function classifyStructure(message: MimeMessage): Verdict | null {
  const types = new Set(message.parts.map((p) => p.mimeType));
  const multipartReport = message.contentType === 'multipart/report';
  if ((multipartReport && message.reportType === 'feedback-report') || types.has(FAILURE_PART)) {
    return { reason: 'failure-report', detail: 'failure report in Abuse Reporting Format (message/feedback-report, RFC 5965)' };
  }
  if ((multipartReport && message.reportType === 'tlsrpt') || [...TLS_PARTS].some((t) => types.has(t))) {
    return { reason: 'tls-report', detail: 'SMTP TLS report (RFC 8460)' };
  }
  if ((multipartReport && message.reportType === 'delivery-status') || [...STATUS_PARTS].some((t) => types.has(t))) {
    return { reason: 'no-report', detail: 'delivery status notification (bounce, RFC 3464)' };
  }
  if ((multipartReport && message.reportType === 'disposition-notification') || [...RECEIPT_PARTS].some((t) => types.has(t))) {
    return { reason: 'no-report', detail: 'message disposition notification (read receipt, RFC 8098)' };
  }
  return null;
}

/** Failure reports without an ARF part still say what they are in the Subject: "DMARC Failure
 * Report for …", "DMARC Forensic Report for …" (Exim), "[Netease DMARC Failure Report] …". */
const FAILURE_SUBJECT = /\bdmarc\b.*\b(failure|forensic|ruf)\b.*\breport\b|\b(failure|forensic)\s+report\b.*\bdmarc\b/i;
/** RFC 7489 §7.2.1.1 aggregate Subject (quirk 10 spellings are all case variants of this). */
const AGGREGATE_SUBJECT = /report\s+domain\s*:/i;

/** A message in which no payload was found. Nested verdicts come from forwarded messages. */
export function classifyWithoutPayload(message: MimeMessage, nested: readonly Verdict[]): Verdict {
  const forwarded = nested.find((v) => v.reason !== 'no-report') ?? nested[0];
  if (forwarded !== undefined && forwarded.reason !== 'no-report') {
    return { reason: forwarded.reason, detail: `forwarded ${forwarded.detail}` };
  }
  const subject = message.meta.subject?.replace(/\s+/g, ' ').trim() ?? '';
  if (FAILURE_SUBJECT.test(subject)) {
    return { reason: 'failure-report', detail: `DMARC failure report without a report part (Subject "${subject}")` };
  }
  if (AGGREGATE_SUBJECT.test(subject)) {
    return { reason: 'no-report', detail: `the Subject announces an aggregate report but no part holds gzip, zip or XML (Subject "${subject}")` };
  }
  return { reason: 'no-report', detail: 'no attachment or body part holds gzip, zip or XML' };
}
