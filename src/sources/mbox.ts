/**
 * mbox files: one file, many messages, each introduced by a `From ` envelope line
 * (RFC 4155; the "mboxrd" dialect for quoting). Scanned in fixed-size chunks, so a 1 GB mbox
 * costs one chunk of memory; each message is read back later by its byte range.
 *
 * A message starts at a line beginning `From ` at the start of the file or after a blank line
 * (RFC 4155 §2: writers separate messages with an empty line). The envelope line is not part of
 * the message; the separating blank line is not either. Lines of the message that began with
 * `From ` were written as `>From ` (and `>From ` as `>>From `, mboxrd); reading undoes one level.
 */

import { MBOX_CHUNK_BYTES as DEFAULT_CHUNK_BYTES } from '../limits.js';

const LF = 0x0a;
const CR = 0x0d;
const GT = 0x3e;
const FROM = new TextEncoder().encode('From ');
/** `From ` at the start of a line. */
const LINE_FROM = new TextEncoder().encode('\nFrom ');
/** Bytes kept from one chunk to the next: a `\nFrom ` split across chunks (6) plus the byte before
 * its `\n` (a CR of a CRLF blank line) — and one more for the LF before that. */
const CARRY = LINE_FROM.length + 1;

/** Byte ranges of one message in the file. */
export interface MboxMessage {
  /** 1-based position in the file. */
  readonly index: number;
  /** Offset of the `From ` envelope line: the message's stable identity within the file. */
  readonly fromOffset: number;
  /** First byte of the message (after the envelope line). */
  readonly start: number;
  /** One past the last byte (before the separating blank line). */
  readonly end: number;
}

/** The one call we make on a file handle (node's FileHandle has this shape). */
export interface PositionalReader {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
}

/** Does a file that begins with these bytes hold an mbox? (RFC 4155: the first line is `From `.) */
export function isMboxStart(head: Uint8Array): boolean {
  return startsWithAt(head, 0, FROM);
}

/**
 * The messages of an mbox, in file order, read through `file` in chunks of `chunkBytes`. The file
 * must start with `From ` (isMboxStart). A message is yielded once the next envelope line (or the
 * end of the file) is found.
 */
export async function* scanMbox(file: PositionalReader, chunkBytes: number = DEFAULT_CHUNK_BYTES): AsyncGenerator<MboxMessage> {
  const buf = new Uint8Array(chunkBytes + CARRY);
  let carry = 0;
  let position = 0;
  let index = 1;
  let fromOffset = 0;
  let start: number | null = null;

  for (;;) {
    const { bytesRead } = await file.read(buf, carry, chunkBytes, position);
    if (bytesRead === 0) break;
    const length = carry + bytesRead;
    const view = Buffer.from(buf.buffer, buf.byteOffset, length);
    const base = position - carry; // file offset of view[0]
    let from = 0;
    for (;;) {
      if (start === null) {
        // The envelope line's end: the message starts after it.
        const nl = view.indexOf(LF, Math.max(0, fromOffset - base));
        if (nl === -1) break;
        start = base + nl + 1;
        from = Math.max(from, nl);
      }
      const p = view.indexOf(LINE_FROM, from);
      if (p === -1) break;
      from = p + 1;
      // Entirely inside the carried bytes: examined with the previous chunk already.
      if (p + LINE_FROM.length <= carry) continue;
      // The line before must be empty: `\n\n` or `\n\r\n`.
      const before1 = base + p - 1 >= 0 ? view[p - 1] : undefined;
      const before2 = base + p - 2 >= 0 ? view[p - 2] : undefined;
      let end: number;
      if (before1 === LF) end = base + p;
      else if (before1 === CR && before2 === LF) end = base + p - 1;
      else continue;
      yield { index, fromOffset, start, end: Math.max(start, end) };
      index++;
      fromOffset = base + p + 1;
      start = null;
    }
    position += bytesRead;
    carry = Math.min(CARRY, length);
    buf.copyWithin(0, length - carry, length);
  }

  // The last message runs to the end of the file, less a final separating blank line.
  const tail = buf.subarray(0, carry);
  let end = position;
  if (endsWith(tail, [CR, LF, CR, LF])) end -= 2;
  else if (endsWith(tail, [LF, LF])) end -= 1;
  const first = start ?? position;
  yield { index, fromOffset, start: first, end: Math.max(first, end) };
}

/** Undo mboxrd quoting: a line `>From `, `>>From `, … loses one `>`. */
export function unquoteMboxrd(bytes: Uint8Array): Uint8Array {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  let kept = 0;
  const atLine = (lineStart: number): void => {
    let i = lineStart;
    while (view[i] === GT) i++;
    if (i > lineStart && startsWithAt(view, i, FROM)) {
      parts.push(view.subarray(kept, lineStart));
      kept = lineStart + 1;
    }
  };
  if (view[0] === GT) atLine(0);
  for (let p = view.indexOf('\n>'); p !== -1; p = view.indexOf('\n>', p + 1)) atLine(p + 1);
  if (parts.length === 0) return bytes;
  parts.push(view.subarray(kept));
  return Buffer.concat(parts);
}

function startsWithAt(bytes: Uint8Array, at: number, prefix: Uint8Array): boolean {
  if (at + prefix.length > bytes.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

function endsWith(bytes: Uint8Array, suffix: readonly number[]): boolean {
  return bytes.length >= suffix.length && suffix.every((b, i) => bytes[bytes.length - suffix.length + i] === b);
}
