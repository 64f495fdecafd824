/**
 * A report e-mail → its candidate payloads, or the reason it is not an aggregate report.
 *
 * RFC 7489 §7.2.1.1 / RFC 9990: the report is one MIME part; no MIME structure is required, so
 * every leaf is considered and the bytes decide (candidate.ts). Also handled: the report as the
 * whole single-part body (Google and Mimecast send single-part zip/gzip), reports in forwarded
 * `message/rfc822` parts (walked here with a depth cap), and the XML pasted into a text
 * body. Failure reports, TLS reports, bounces and report-less mail are values, not errors
 * (protocol outcomes are results; only faults throw).
 */
import { LimitExceededError, MalformedInputError } from '../errors.js';
import { isCandidatePayload } from './candidate.js';
import { classifyStructure, classifyWithoutPayload, type NotAggregateReason, type Verdict } from './classify.js';
import { LIMIT_SETTINGS, type Limits } from '../limits.js';
import type { MessageMeta, MimeMessage, MimePart } from './mime-message.js';
import { readMime } from './mime-walk.js';
import { describeBytes, sniff, withArticle } from './sniff.js';
import { xmlInText } from './text-body.js';

export type { NotAggregateReason } from './classify.js';

/** Where a payload came from, for error messages (payload.ts `payloadLabel`). */
export type PayloadOrigin = 'attachment' | 'part' | 'body' | 'file';

export interface Payload {
  /** The attachment's file name, or a label: `body`, `part 2` (the second part that is not
   * inline text), `forwarded message, part 1`. */
  readonly name: string;
  /** The declared media type, lower case; null when unknown (a file on disk). */
  readonly declaredType: string | null;
  readonly bytes: Uint8Array;
  /** Absent for inputs that are not from a message (a file given directly). */
  readonly origin?: PayloadOrigin;
}

export type MessageContent =
  | { kind: 'aggregate'; meta: MessageMeta; payloads: Payload[] }
  | { kind: 'not-aggregate'; meta: MessageMeta; reason: NotAggregateReason; detail: string };

/** `message/global` is the RFC 6532 (UTF-8 headers) form of `message/rfc822`. */
const NESTED_MESSAGE_TYPES = new Set(['message/rfc822', 'message/global']);

/**
 * Throws LimitExceededError when the message is over `max_message_bytes` (checked before any
 * parsing) or forwarded messages nest deeper than `max_nesting_depth`; MalformedInputError when
 * the bytes are not an e-mail message.
 */
export async function extractMessage(raw: Uint8Array, limits: Limits): Promise<MessageContent> {
  if (raw.length > limits.maxMessageBytes) {
    throw new LimitExceededError(LIMIT_SETTINGS.maxMessageBytes, limits.maxMessageBytes, `message of ${raw.length} bytes`);
  }
  const content = await walk(messageBytes(raw), limits, 0);
  return content.kind === 'aggregate'
    ? { kind: 'aggregate', meta: content.meta, payloads: content.payloads }
    : { kind: 'not-aggregate', meta: content.meta, reason: content.verdict.reason, detail: content.verdict.detail };
}

/** The message itself: without a UTF-8 BOM (saved by some Windows tools) or an mbox "From "
 * line (RFC 4155), and refused when it does not start with a header field. */
function messageBytes(raw: Uint8Array): Uint8Array {
  let bytes = raw;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  if (sniff(bytes) === 'mbox') {
    const newline = bytes.indexOf(0x0a);
    bytes = newline < 0 ? bytes.subarray(bytes.length) : bytes.subarray(newline + 1);
  }
  if (bytes.length === 0) throw new MalformedInputError('the message is empty (0 bytes)');
  if (sniff(bytes) !== 'message') {
    throw new MalformedInputError(`not an e-mail message: it starts like ${withArticle(describeBytes(bytes))}, not with a header field`);
  }
  return bytes;
}

type Walked = { kind: 'aggregate'; meta: MessageMeta; payloads: Payload[] } | { kind: 'not-aggregate'; meta: MessageMeta; verdict: Verdict };

async function walk(bytes: Uint8Array, limits: Limits, depth: number): Promise<Walked> {
  const message = await readMime(bytes);
  const structural = classifyStructure(message);
  if (structural !== null) return { kind: 'not-aggregate', meta: message.meta, verdict: structural };

  const payloads: Payload[] = [];
  const nested: Verdict[] = [];
  const prefix = depth === 0 ? '' : 'forwarded message, ';
  for (const [index, part] of message.parts.entries()) {
    if (NESTED_MESSAGE_TYPES.has(part.mimeType)) {
      const inner = await walkNested(part, limits, depth);
      if (inner?.kind === 'aggregate') payloads.push(...inner.payloads);
      else if (inner?.kind === 'not-aggregate') nested.push(inner.verdict);
      continue;
    }
    if (isCandidatePayload(part)) payloads.push(partPayload(part, index, message, prefix));
  }
  // XML pasted into a text body counts only when nothing else carries a report: the text part of
  // an ordinary report mail is a human-readable note.
  if (payloads.length === 0 && message.text !== null) {
    const xml = xmlInText(message.text);
    if (xml !== null) payloads.push({ name: `${prefix}body`, declaredType: 'text/plain', bytes: xml, origin: 'body' });
  }
  if (payloads.length > 0) return { kind: 'aggregate', meta: message.meta, payloads };
  return { kind: 'not-aggregate', meta: message.meta, verdict: classifyWithoutPayload(message, nested) };
}

/** A forwarded message: walked one level deeper. One that cannot be read as a message is
 * skipped (the rest of the outer message may still hold the report); limits still apply. */
async function walkNested(part: MimePart, limits: Limits, depth: number): Promise<Walked | null> {
  const next = depth + 1;
  if (next > limits.maxNestingDepth) {
    throw new LimitExceededError(LIMIT_SETTINGS.maxNestingDepth, limits.maxNestingDepth, 'nesting of forwarded messages (message/rfc822)');
  }
  try {
    return await walk(messageBytes(part.bytes), limits, next);
  } catch (error) {
    if (error instanceof MalformedInputError) return null;
    throw error;
  }
}

function partPayload(part: MimePart, index: number, message: MimeMessage, prefix: string): Payload {
  const singlePart = !message.contentType.startsWith('multipart/');
  const origin: PayloadOrigin = part.filename !== null ? 'attachment' : singlePart ? 'body' : 'part';
  const name = part.filename ?? (singlePart ? `${prefix}body` : `${prefix}part ${index + 1}`);
  return { name, declaredType: part.mimeType, bytes: part.bytes, origin };
}
