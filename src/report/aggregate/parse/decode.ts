/**
 * Bytes → text for an XML document, chunk by chunk (memory does not grow with the document).
 *
 * XML 1.0 §4.3.3 / Appendix F: a byte-order mark decides the encoding; otherwise the encoding
 * declaration; otherwise UTF-8. Reporters declare legacy charsets (`windows-1252` from AOL,
 * for one) and some put raw cp1252 bytes into documents that claim UTF-8 (0x91 in
 * samples/parsedmarc/invalid_utf_8.xml): those bytes are replaced by U+FFFD and flagged, rather
 * than rejecting the report.
 */
import type { IssueLog } from '../issues.js';

/** Bytes looked at for a BOM and the XML declaration. */
const DECLARATION_WINDOW = 256;

function detectEncoding(head: Uint8Array, issues: IssueLog): { label: string; skip: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { label: 'utf-8', skip: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { label: 'utf-16le', skip: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { label: 'utf-16be', skip: 2 };
  // The declaration is ASCII in every ASCII-compatible encoding, so latin1 is safe to peek with.
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, DECLARATION_WINDOW)).toString('latin1');
  const declared = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(text)?.[1];
  if (declared === undefined) return { label: 'utf-8', skip: 0 };
  const label = declared.toLowerCase();
  if (label === 'utf-8' || label === 'utf8') return { label: 'utf-8', skip: 0 };
  try {
    new TextDecoder(label);
  } catch {
    issues.note('encoding.unsupported', `declared encoding "${declared}" is not supported; read as UTF-8`);
    return { label: 'utf-8', skip: 0 };
  }
  // us-ascii and iso-8859-1 are read as windows-1252 by the WHATWG decoder, a superset.
  issues.note('encoding.legacy', `document declares encoding "${declared}"`);
  return { label, skip: 0 };
}

/** Decode a document's byte chunks to text chunks. */
export function* decodeXml(chunks: Iterable<Uint8Array>, issues: IssueLog): Generator<string> {
  let decoder: TextDecoder | null = null;
  let lenient = false;
  let pending: Uint8Array | null = null;
  for (let chunk of chunks) {
    if (chunk.length === 0) continue;
    if (decoder === null) {
      // Gather enough bytes to see the declaration, even if the first chunk is tiny.
      if (pending !== null) chunk = Buffer.concat([pending, chunk]);
      if (chunk.length < DECLARATION_WINDOW) {
        pending = chunk;
        continue;
      }
      pending = null;
      const { label, skip } = detectEncoding(chunk, issues);
      decoder = new TextDecoder(label, { fatal: label === 'utf-8', ignoreBOM: true });
      chunk = chunk.subarray(skip);
    }
    yield decodeChunk(chunk);
  }
  if (decoder === null && pending !== null) {
    const { label, skip } = detectEncoding(pending, issues);
    decoder = new TextDecoder(label, { fatal: label === 'utf-8', ignoreBOM: true });
    yield decodeChunk(pending.subarray(skip));
  }
  if (decoder !== null) {
    // A multi-byte sequence cut off at the very end fails the fatal decoder here, too.
    let tail: string;
    try {
      tail = decoder.decode();
    } catch {
      issues.note('encoding.invalid_utf8', 'document contains bytes that are not valid UTF-8; replaced with U+FFFD');
      tail = '\uFFFD';
    }
    if (tail !== '') yield tail;
  }

  function decodeChunk(bytes: Uint8Array): string {
    const current = decoder!;
    if (lenient) return current.decode(bytes, { stream: true });
    try {
      return current.decode(bytes, { stream: true });
    } catch {
      // From here on, invalid sequences become U+FFFD; a partial sequence split across the
      // previous chunk boundary is lost with the failed decoder, which is at most 3 bytes.
      issues.note('encoding.invalid_utf8', 'document contains bytes that are not valid UTF-8; replaced with U+FFFD');
      lenient = true;
      decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
      return decoder.decode(bytes, { stream: true });
    }
  }
}
