/**
 * Which MIME parts are candidate payloads. The bytes decide (the media type of real reports
 * lies, or is missing altogether), but a part that *claims* to be a report by its
 * name or type is kept even when its bytes are something else (Amazon's PNG named `.xml.gz`),
 * so that it fails later with a message saying what it really is instead of vanishing.
 */
import type { MimePart } from './mime-message.js';
import { sniff } from './sniff.js';

/** Media types reporters use for the report (RFC 7489 §7.2.1.1, RFC 6713, and the
 * non-standard ones of quirk 1). */
const REPORT_MEDIA_TYPES = new Set([
  'application/gzip',
  'application/x-gzip',
  'application/x-gunzip',
  'application/gzip-compressed',
  'application/x-gzip-compressed',
  'application/zip',
  'application/x-zip',
  'application/x-zip-compressed',
  'application/xml',
  'text/xml',
  'application/octet-stream',
]);

/** Report file names (RFC 7489 §7.2.1.1 `.xml` / `.xml.gz`; quirk 9 adds `.zip`, `.gz`). */
const REPORT_NAME = /\.(xml|gz|gzip|zip)$/i;
/** Any file extension: a name that has one tells what the file is meant to be. */
const ANY_EXTENSION = /\.[A-Za-z0-9]{1,8}$/;

function claimsReportByName(part: MimePart): boolean {
  return part.filename !== null && REPORT_NAME.test(part.filename);
}

/** Named or typed as a report. `application/octet-stream` is the catch-all type, so it only
 * counts when the name does not say something else (`invoice.pdf`). */
export function claimsToBeReport(part: MimePart): boolean {
  if (claimsReportByName(part)) return true;
  if (!REPORT_MEDIA_TYPES.has(part.mimeType)) return false;
  if (part.mimeType !== 'application/octet-stream') return true;
  return part.filename === null || !ANY_EXTENSION.test(part.filename);
}

/** Bytes of an XML part searched for the report's root element. */
const ROOT_WINDOW = 64 * 1024;

/** Does the XML mention `feedback` (the root, RFC 7489 App. C) early on? UTF-16 text is read
 * with its zero bytes dropped. */
export function mentionsFeedback(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, ROOT_WINDOW);
  let text = new TextDecoder('latin1').decode(head);
  if (text.includes('\u0000')) text = text.replaceAll('\u0000', '');
  return /feedback/i.test(text);
}

/**
 * A part we hand to openPayload. gzip and zip bytes are candidates unless name and type both
 * say the part is some other zip-based file (a `.docx` or a `.jar` is a zip too); XML only when
 * it looks like a report or claims to be one; anything else only when it claims to be a report.
 */
export function isCandidatePayload(part: MimePart): boolean {
  switch (sniff(part.bytes)) {
    case 'gzip':
    case 'zip':
      return claimsToBeReport(part) || part.filename === null || !ANY_EXTENSION.test(part.filename);
    case 'xml':
      return mentionsFeedback(part.bytes) || claimsToBeReport(part);
    case 'mbox':
    case 'message':
    case 'unknown':
      return claimsToBeReport(part);
  }
}
