/**
 * Gunzip as a byte-source layer (RFC 1952): header, raw DEFLATE body, trailer. Lazy and bounded:
 * output pieces are produced as the consumer reads and counted against the decompression budget
 * as they are produced.
 *
 * A gzip file is a series of members (§2.2), and its content is theirs one after the other, as
 * `gunzip -c` writes it: a writer that flushes a member per batch of records splits a report
 * across members, and reading only the first silently loses the rest. All members together are
 * counted against the one decompression budget.
 *
 * Tolerances, each seen in real reports:
 * - Bytes after the last member that do not start a member are ignored (Mimecast appends CRLF;
 *   node:zlib's gunzip rejects that; gunzip warns of "trailing garbage" and ignores it).
 * - A member whose deflate stream is complete but whose 8-byte trailer is cut off is accepted:
 *   the data is whole, only its checksum is missing.
 * When a trailer is there, its CRC-32 and length are checked (§2.3.1), so corruption that the
 * deflate decoder cannot see (a flipped literal byte) is still reported.
 */
import { crc32 } from 'node:zlib';
import { MalformedInputError } from '../errors.js';
import { charge, type ExtractContext } from './budget.js';
import { createRawInflater, InflateError, type RawInflater } from './inflate.js';
import { streamSource, type ByteSource } from './source.js';
import { MAX_GZIP_HEADER_BYTES as MAX_HEADER_BYTES } from '../limits.js';

// RFC 1952 §2.3.1 FLG bits.
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const FRESERVED = 0xe0;

/**
 * Length of the member header at the start of `bytes`, or null when more bytes are needed.
 * Throws for what is not a gzip header we can read (§2.3.1.2: a decompressor must reject an
 * unknown CM and reserved flag bits, which could mean fields it would misread).
 */
export function gzipHeaderLength(bytes: Uint8Array, label: string): number | null {
  if (bytes.length < 10) return null;
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw new MalformedInputError(`${label} is not gzip data (bad magic number)`);
  if (bytes[2] !== 8) throw new MalformedInputError(`${label} uses gzip compression method ${bytes[2]}, only 8 (deflate) exists`);
  const flags = bytes[3] ?? 0;
  if ((flags & FRESERVED) !== 0) throw new MalformedInputError(`${label} has reserved gzip header flags set`);
  let at = 10;
  if ((flags & FEXTRA) !== 0) {
    if (bytes.length < at + 2) return null;
    at += 2 + ((bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8));
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if ((flags & flag) === 0) continue;
    const zero = bytes.indexOf(0, at);
    if (zero < 0) return bytes.length > MAX_HEADER_BYTES ? tooLong(label) : null;
    at = zero + 1;
  }
  if ((flags & FHCRC) !== 0) at += 2;
  if (at > bytes.length) return bytes.length > MAX_HEADER_BYTES ? tooLong(label) : null;
  return at;
}

function tooLong(label: string): never {
  throw new MalformedInputError(`${label} has a gzip header longer than ${MAX_HEADER_BYTES} bytes`);
}

/** Collects the 8 trailer bytes (CRC32, ISIZE; little-endian) from whatever follows the body. */
class Trailer {
  readonly bytes = new Uint8Array(8);
  length = 0;
  /** Takes what the trailer still needs from `chunk`; returns the rest (the next member). */
  add(chunk: Uint8Array): Uint8Array {
    const take = Math.min(8 - this.length, chunk.length);
    this.bytes.set(chunk.subarray(0, take), this.length);
    this.length += take;
    return chunk.subarray(take);
  }
  get complete(): boolean {
    return this.length === 8;
  }
  word(at: number): number {
    const b = this.bytes;
    return ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0;
  }
}

function corrupt(label: string, error: unknown): MalformedInputError {
  const reason = error instanceof Error ? error.message : String(error);
  return new MalformedInputError(`${label} is corrupt gzip data (${reason})`, { cause: error });
}

/** The decompressed content of a gzip source, as a new source. */
export function gunzipSource(input: ByteSource, label: string, context: ExtractContext): ByteSource {
  return streamSource(() => gunzip(input, label, context));
}

/** Where the reader is in the series of members (RFC 1952 §2.2). */
type Stage = 'header' | 'body' | 'trailer' | 'junk';

function* gunzip(input: ByteSource, label: string, context: ExtractContext): Generator<Uint8Array, void, undefined> {
  // ISIZE, the last 4 bytes (§2.3.1), only sizes the first output piece: it may be junk (§8.5),
  // or belong to the last of several members.
  const whole = input.whole;
  const sizeHint = whole !== null && whole.length >= 4 ? new DataView(whole.buffer, whole.byteOffset + whole.length - 4, 4).getUint32(0, true) : undefined;
  let inflater: RawInflater | null = null;
  const iterator = input.open();
  try {
    let stage: Stage = 'header';
    let members = 0;
    let header: Uint8Array = EMPTY;
    let crc = 0;
    let size = 0;
    let trailer = new Trailer();

    const inflate = function* (chunk: Uint8Array, final: boolean, current: RawInflater): Generator<Uint8Array, void, undefined> {
      try {
        for (const piece of current.write(chunk, final)) {
          crc = crc32(piece, crc);
          size += piece.length;
          // One budget for all members: a bomb split into members is still one input.
          charge(context, piece.length, label);
          yield piece;
        }
      } catch (error) {
        if (error instanceof InflateError) throw corrupt(label, error);
        throw error;
      }
    };

    /** Consume one piece of input, member after member. */
    const feed = function* (piece: Uint8Array): Generator<Uint8Array, void, undefined> {
      let chunk = piece;
      while (chunk.length > 0) {
        switch (stage) {
          case 'header': {
            header = appendBytes(header, chunk);
            chunk = EMPTY;
            // After the first member, anything that does not start like a member is junk that
            // some senders append (Mimecast's CRLF); gunzip ignores it too ("trailing garbage").
            if (members > 0 && !startsLikeMember(header)) {
              stage = 'junk';
              break;
            }
            const headerLength = gzipHeaderLength(header, label);
            if (headerLength === null) break;
            chunk = header.subarray(headerLength);
            header = EMPTY;
            inflater = createRawInflater('native', members === 0 ? sizeHint : undefined);
            crc = 0;
            size = 0;
            stage = 'body';
            break;
          }
          case 'body': {
            const current = inflater!;
            yield* inflate(chunk, false, current);
            chunk = EMPTY;
            if (current.ended) {
              chunk = current.remainder ?? EMPTY;
              stage = 'trailer';
              // fflate (the fallback engine) cannot say where its stream ended: what follows
              // the first member is then unknown, and only the first member is read.
              if (current.remainder === null) stage = 'junk';
            }
            break;
          }
          case 'trailer': {
            chunk = trailer.add(chunk);
            if (!trailer.complete) break;
            verifyTrailer(trailer, crc, size, label);
            endMember();
            break;
          }
          case 'junk':
            chunk = EMPTY;
            break;
        }
      }
    };

    const endMember = (): void => {
      inflater?.close();
      inflater = null;
      trailer = new Trailer();
      members++;
      stage = 'header';
    };

    if (whole !== null) {
      // The payload is in memory: one write per member, zlib walks it in bounded output pieces.
      yield* feed(whole);
    } else {
      for (;;) {
        const step = iterator.next();
        if (step.done === true) break;
        yield* feed(step.value);
      }
    }

    // The end of the input.
    switch (stage as Stage) {
      case 'header':
        if (members === 0 && header.length === 0) throw new MalformedInputError(`${label} is empty (0 bytes)`);
        if (header.length > 0) throw new MalformedInputError(`${label} is truncated inside its gzip header`);
        break;
      case 'body': {
        // Tells a stream cut short (an error) from one whose trailer is entirely missing.
        const current = inflater as RawInflater | null;
        if (current !== null) yield* inflate(EMPTY, true, current);
        break;
      }
      case 'trailer':
        // A member whose trailer is cut off: the data is whole, only its checksum is missing.
        break;
      case 'junk':
        break;
    }
  } finally {
    (inflater as RawInflater | null)?.close();
    iterator.return?.();
  }
}

const EMPTY = new Uint8Array(0);

/** The member magic (§2.3.1: ID1 = 31, ID2 = 139) as far as `bytes` go. */
function startsLikeMember(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && (bytes.length < 2 || bytes[1] === 0x8b);
}

function verifyTrailer(trailer: Trailer, crc: number, size: number, label: string): void {
  if (trailer.word(0) !== crc >>> 0) throw new MalformedInputError(`${label} is corrupt gzip data (CRC-32 mismatch)`);
  // ISIZE is the length modulo 2^32 (§2.3.1).
  if (trailer.word(4) !== size % 0x1_0000_0000) throw new MalformedInputError(`${label} is corrupt gzip data (length mismatch)`);
}

function appendBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
