/**
 * One input (a file's bytes, an mbox message, a mailbox message) → what it is: the aggregate
 * report documents in it, ready for the parser; or not an aggregate report, with its kind and
 * the reason; or invalid, with the typed error that says why. The one entry point of extract/:
 * the ingest job only pipes what this finds to parse and store.
 *
 * Decided by content, never by the file name or the declared media type, which reporters get
 * wrong (a report sent as `application/octet-stream`, a zip labelled `application/gzip`, a PNG
 * named `.xml.gz`): a report file (XML, gzip, zip), a mail message or an mbox message, or
 * something else — text (a README in a report folder) or binary junk.
 */
import { InputError, LimitExceededError } from '../errors.js';
import { LIMIT_SETTINGS, type Limits } from '../limits.js';
import type { NotAggregateReason } from './classify.js';
import { extractMessage, type Payload } from './message.js';
import type { MessageMeta } from './mime-message.js';
import { openPayload, openSourcePayload, SNIFF_BYTES, type DecompressionBudget, type XmlDocument } from './payload.js';
import { describeBytes, sniff } from './sniff.js';
import { concatBytes, peek, resume, type ByteSource } from './source.js';

/** Inputs that are not aggregate reports: the kinds a message is recognised as (classify.ts),
 * and a text file that is neither a report nor a message. */
export type NotAggregateKind = NotAggregateReason | 'text';

/**
 * A document of an aggregate input, or a payload that could not be opened. Both come lazily, as
 * the consumer iterates: gzip and zip layers are opened then, and an error that surfaces while a
 * payload is being opened ends that payload (its `name` says which) while the next one is still
 * tried. An error while a document's own chunks are read is thrown from reading them.
 */
export type FoundDocument =
  | { readonly kind: 'document'; readonly document: XmlDocument }
  | { readonly kind: 'unreadable'; readonly payload: string; readonly error: InputError };

export type ExtractedInput =
  /** `meta`: the message's headers; null when the input is a report file itself. */
  | { readonly kind: 'aggregate'; readonly meta: MessageMeta | null; readonly documents: Iterable<FoundDocument> }
  /** `reason`: the sentence the ledger keeps for it. */
  | { readonly kind: 'not-aggregate'; readonly meta: MessageMeta | null; readonly what: NotAggregateKind; readonly reason: string }
  /** The whole input is unusable: not a message although it starts like one, over a size or
   * nesting cap (LimitExceededError names the setting). */
  | { readonly kind: 'invalid'; readonly error: InputError };

/**
 * `label` is what a user recognises (a path, `box.mbox message 3`, `INBOX uid 42`); its last
 * path segment names the payload when the input is a report file itself. Faults that are not
 * about the input (anything but an InputError) are thrown.
 */
export async function extractInput(bytes: Uint8Array, label: string, limits: Limits): Promise<ExtractedInput> {
  const asReport = (): ExtractedInput => aggregate(null, [{ name: baseName(label), declaredType: null, bytes }], limits);
  switch (sniff(bytes)) {
    case 'gzip':
    case 'zip':
    case 'xml':
      return asReport();
    case 'message':
    case 'mbox': {
      try {
        const content = await extractMessage(bytes, limits);
        if (content.kind === 'aggregate') return aggregate(content.meta, content.payloads, limits);
        return { kind: 'not-aggregate', meta: content.meta, what: content.reason, reason: `not an aggregate report (${content.reason}): ${content.detail}` };
      } catch (error) {
        if (error instanceof InputError) return { kind: 'invalid', error };
        throw error;
      }
    }
    case 'unknown':
      // A text file in a report folder (a README, notes) is not a report, and not an error
      // either; binary junk (an image named .xml.gz) is an invalid report, said so by openPayload.
      if (bytes.length > 0 && isMostlyText(bytes)) {
        return { kind: 'not-aggregate', meta: null, what: 'text', reason: `not an aggregate report or a mail message (${describeBytes(bytes)})` };
      }
      return asReport();
  }
}

/**
 * extractInput for an input read as a stream of pieces (a large file from disk). A report file that
 * is XML or gzip is read as it streams, never whole; anything else (a zip, which needs random
 * access; a message, which the MIME parser takes whole; text or junk) is gathered and handed to
 * extractInput, under the same cap as a file read whole (`max_decompressed_bytes`).
 */
export async function extractInputSource(source: ByteSource, label: string, limits: Limits): Promise<ExtractedInput> {
  if (source.whole !== null) return extractInput(source.whole, label, limits);
  const { head, iterator } = peek(source, SNIFF_BYTES);
  const kind = sniff(head);
  if (kind === 'xml' || kind === 'gzip') {
    const resumed = resume(source, iterator);
    const name = baseName(label);
    return { kind: 'aggregate', meta: null, documents: { [Symbol.iterator]: () => streamedDocuments(resumed, name, limits) } };
  }
  let bytes: Uint8Array;
  try {
    bytes = gather(iterator, label, limits.maxDecompressedBytes);
  } catch (error) {
    if (error instanceof InputError) return { kind: 'invalid', error };
    throw error;
  }
  return extractInput(bytes, label, limits);
}

function* streamedDocuments(source: ByteSource, name: string, limits: Limits): Generator<FoundDocument, void, undefined> {
  try {
    for (const document of openSourcePayload(source, name, limits)) yield { kind: 'document', document };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    yield { kind: 'unreadable', payload: name, error };
  }
}

function gather(iterator: Iterator<Uint8Array, void, undefined>, label: string, cap: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (let step = iterator.next(); step.done !== true; step = iterator.next()) {
      total += step.value.length;
      if (total > cap) throw new LimitExceededError(LIMIT_SETTINGS.maxDecompressedBytes, cap, `${label} (more than ${cap} bytes)`);
      parts.push(step.value);
    }
  } finally {
    iterator.return?.();
  }
  return concatBytes(parts, total);
}

function aggregate(meta: MessageMeta | null, payloads: readonly Payload[], limits: Limits): ExtractedInput {
  return { kind: 'aggregate', meta, documents: { [Symbol.iterator]: () => documents(payloads, limits) } };
}

/** Every payload's documents in order; one decompression budget for the whole input (budget.ts). */
function* documents(payloads: readonly Payload[], limits: Limits): Generator<FoundDocument, void, undefined> {
  const budget: DecompressionBudget = { used: 0 };
  for (const payload of payloads) {
    try {
      for (const document of openPayload(payload, limits, budget)) yield { kind: 'document', document };
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      yield { kind: 'unreadable', payload: payload.name, error };
    }
  }
}

/** No control characters other than whitespace in the first 4 KiB. */
function isMostlyText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 4096);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i] ?? 0;
    if (b < 9 || (b > 13 && b < 32) || b === 127) control++;
  }
  return control === 0;
}

function baseName(label: string): string {
  return label.split(/[\\/]/).pop() ?? label;
}
