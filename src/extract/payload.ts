/**
 * A candidate payload → the XML documents in it, lazily: gzip, zip and layers of them are opened
 * as the consumer reads, each document's bytes are produced piece by piece, and every produced
 * byte is counted against the decompression budget. Decided by magic bytes only (real reports
 * come mislabelled), so `application/gzip` holding a zip, a double gzip (`.xml.gz.gz`), a gzip
 * holding a zip, or a `.xml.gz` attachment that is a PNG (Amazon) all end up where they should.
 */
import { LimitExceededError, MalformedInputError } from '../errors.js';
import { type DecompressionBudget, type ExtractContext } from './budget.js';
import { gunzipSource } from './gzip.js';
import { LIMIT_SETTINGS, type Limits } from '../limits.js';
import type { Payload } from './message.js';
import { describeBytes, sniff, withArticle } from './sniff.js';
import { chunksOf, concatBytes, peek, resume, wholeSource, type ByteSource } from './source.js';
import { memberSource, readMembers } from './zip.js';

export type { DecompressionBudget } from './budget.js';

export interface XmlDocument {
  /** The zip member's name, or the payload's name without `.gz`. */
  readonly name: string;
  /** The document's bytes, in pieces of at most 64 KiB, produced as they are read. Reading it
   * again decompresses again. */
  readonly chunks: Iterable<Uint8Array>;
}

/** Bytes looked at to decide what a layer is (sniff.ts looks through up to 4 KiB of leading
 * whitespace before an XML document's `<`). */
export const SNIFF_BYTES = 4 * 1024 + 8;

/** How a payload is named in messages: "attachment x.xml.gz", "message body", "x.xml.gz". */
export function payloadLabel(payload: Payload): string {
  switch (payload.origin) {
    case 'attachment':
      return `attachment ${payload.name}`;
    case 'part':
      return `MIME ${payload.name}`;
    case 'body':
      return 'message body';
    default:
      return payload.name;
  }
}

function stripGz(name: string): string {
  return name.replace(/\.(gz|gzip)$/i, '');
}

/**
 * The XML documents in a payload. Nothing happens until the result is iterated; errors
 * (MalformedInputError, LimitExceededError) are thrown from the iteration, including from
 * reading a document's chunks.
 */
export function openPayload(payload: Payload, limits: Limits, budget: DecompressionBudget = { used: 0 }): Iterable<XmlDocument> {
  const context: ExtractContext = { limits, budget };
  return {
    [Symbol.iterator]: () => documents(wholeSource(payload.bytes), stripGz(payload.name), payloadLabel(payload), 0, context),
  };
}

/**
 * The XML documents of a report file read as a stream of pieces (a large file from disk), named
 * `name` and `label` like a payload: the same layers as openPayload, without the whole bytes.
 */
export function openSourcePayload(source: ByteSource, name: string, limits: Limits, budget: DecompressionBudget = { used: 0 }): Iterable<XmlDocument> {
  const context: ExtractContext = { limits, budget };
  return { [Symbol.iterator]: () => documents(source, stripGz(name), name, 0, context) };
}

function enter(depth: number, label: string, context: ExtractContext): number {
  const next = depth + 1;
  const cap = context.limits.maxNestingDepth;
  if (next > cap) throw new LimitExceededError(LIMIT_SETTINGS.maxNestingDepth, cap, `nesting of compressed containers in ${label}`);
  return next;
}

/**
 * Documents in one layer. `name` is what a document found here is called; `label` says where
 * this layer is, for error messages.
 */
function* documents(source: ByteSource, name: string, label: string, depth: number, context: ExtractContext): Generator<XmlDocument, void, undefined> {
  const { head, iterator } = peek(source, SNIFF_BYTES);
  const kind = sniff(head);
  if (kind === 'mbox' || kind === 'message' || kind === 'unknown') {
    iterator.return?.();
    if (head.length === 0) throw new MalformedInputError(`${label} is empty (0 bytes)`);
    throw new MalformedInputError(`${label} is ${withArticle(describeBytes(head))}, not gzip, zip or XML`);
  }
  const resumed = resume(source, iterator);
  switch (kind) {
    case 'xml':
      yield { name, chunks: chunksOf(resumed) };
      return;
    case 'gzip': {
      const inner = enter(depth, label, context);
      yield* documents(gunzipSource(resumed, label, context), stripGz(name), `${label} (after gunzip)`, inner, context);
      return;
    }
    case 'zip':
      yield* zipDocuments(archiveBytes(resumed, label, context), label, enter(depth, label, context), context);
      return;
  }
}

/** A zip needs random access, so a zip inside a compressed layer is read into memory: capped
 * like a whole message, since that is what it stands in for. */
function archiveBytes(source: ByteSource, label: string, context: ExtractContext): Uint8Array {
  if (source.whole !== null) return source.whole;
  const cap = context.limits.maxMessageBytes;
  const parts: Uint8Array[] = [];
  let total = 0;
  const iterator = source.open();
  try {
    for (;;) {
      const step = iterator.next();
      if (step.done === true) break;
      total += step.value.length;
      if (total > cap) throw new LimitExceededError(LIMIT_SETTINGS.maxMessageBytes, cap, `zip archive inside ${label}`);
      parts.push(step.value);
    }
  } finally {
    iterator.return?.();
  }
  return concatBytes(parts, total);
}

/** Every member that holds a report, in archive order. Directories are skipped silently; other
 * members that are not XML, gzip or zip are skipped, and named if nothing usable was found. */
function* zipDocuments(archive: Uint8Array, label: string, depth: number, context: ExtractContext): Generator<XmlDocument, void, undefined> {
  const members = readMembers(archive, label, context.limits.maxZipMembers);
  const skipped: string[] = [];
  let found = 0;
  for (const member of members) {
    if (member.isDirectory) continue;
    const where = `${member.name} in ${label}`;
    const source = memberSource(archive, member, label, context);
    const { head, iterator } = peek(source, SNIFF_BYTES);
    const kind = sniff(head);
    if (kind === 'xml' || kind === 'gzip' || kind === 'zip') {
      // documents() peeks again, at what was already read: nothing is decompressed twice.
      for (const document of documents(resume(source, iterator), member.name, where, depth, context)) {
        found++;
        yield document;
      }
      continue;
    }
    iterator.return?.();
    skipped.push(`${member.name} is ${withArticle(describeBytes(head))}`);
  }
  if (found === 0) {
    const detail = skipped.length > 0 ? `: ${skipped.join('; ')}` : ' (no members)';
    throw new MalformedInputError(`${label} is a zip archive with no XML report in it${detail}`);
  }
}
