/**
 * Byte sources: the payload itself, or what a gzip / zip layer produces from the layer below. A
 * source is re-readable (`open()` starts again from the beginning) and read in pieces, so nothing
 * above the payload is ever held whole — except a zip archive, which needs random access.
 */

/** Pieces a contiguous byte array is handed out in: big enough to be cheap, small enough that a
 * consumer buffering "one more piece" stays small. */
export const PIECE_SIZE = 64 * 1024;

export interface ByteSource {
  /** Read from the start. Decompressing sources decompress again (and count against the budget
   * again) on every call. */
  open(): Iterator<Uint8Array, void, undefined>;
  /** The bytes when they already sit in memory as one array, so a layer can use them directly. */
  readonly whole: Uint8Array | null;
}

function* pieces(bytes: Uint8Array): Generator<Uint8Array, void, undefined> {
  for (let at = 0; at < bytes.length; at += PIECE_SIZE) yield bytes.subarray(at, at + PIECE_SIZE);
}

export function wholeSource(bytes: Uint8Array): ByteSource {
  return { open: () => pieces(bytes), whole: bytes };
}

export function streamSource(open: () => Iterator<Uint8Array, void, undefined>): ByteSource {
  return { open, whole: null };
}

export function concatBytes(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export interface Peeked {
  /** The first `want` bytes (fewer only when the source is shorter). */
  readonly head: Uint8Array;
  /** Every piece from the start, the ones read for `head` included, then the rest. */
  readonly iterator: Iterator<Uint8Array, void, undefined>;
}

/** Read just enough of a source to see what it is, without losing what was read. */
export function peek(source: ByteSource, want: number): Peeked {
  if (source.whole !== null) return { head: source.whole.subarray(0, want), iterator: source.open() };
  const iterator = source.open();
  const seen: Uint8Array[] = [];
  let total = 0;
  let done = false;
  while (total < want) {
    const step = iterator.next();
    if (step.done === true) {
      done = true;
      break;
    }
    if (step.value.length === 0) continue;
    seen.push(step.value);
    total += step.value.length;
  }
  const head = concatBytes(seen, total).subarray(0, want);
  // A plain object rather than a generator: return() must reach the source's iterator (and
  // release its zlib engine) even when nothing was read back yet.
  let index = 0;
  const replay: Iterator<Uint8Array, void, undefined> = {
    next: () => {
      const buffered = seen[index];
      if (buffered !== undefined) {
        seen[index++] = EMPTY_PIECE;
        return { done: false, value: buffered };
      }
      return done ? { done: true, value: undefined } : iterator.next();
    },
    return: () => {
      done = true;
      seen.length = 0;
      iterator.return?.();
      return { done: true, value: undefined };
    },
  };
  return { head, iterator: replay };
}

const EMPTY_PIECE = new Uint8Array(0);

/**
 * The source again after a peek, without reading twice: the first `open()` continues the
 * peeked iterator, later ones start over. A source already in memory is simply itself.
 */
export function resume(source: ByteSource, peeked: Iterator<Uint8Array, void, undefined>): ByteSource {
  if (source.whole !== null) {
    peeked.return?.();
    return source;
  }
  let pending: Iterator<Uint8Array, void, undefined> | null = peeked;
  return streamSource(() => {
    const iterator = pending ?? source.open();
    pending = null;
    return iterator;
  });
}

/** A document's chunks as an iterable: reading it again reads the source again. */
export function chunksOf(source: ByteSource): Iterable<Uint8Array> {
  return { [Symbol.iterator]: () => source.open() };
}
