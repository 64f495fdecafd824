/**
 * Raw DEFLATE (RFC 1951) decompression that is synchronous, lazy and bounded: input goes in as it
 * is, output comes out in pieces of at most OUTPUT_PIECE bytes, one piece per `next()`. Both
 * gzip members (RFC 1952) and zip members (APPNOTE.TXT method 8) are raw DEFLATE inside.
 *
 * Why not node:zlib's public API: its streams are asynchronous (our documents are plain
 * iterables, read by a synchronous parser) and its `*Sync` functions build the whole output in
 * memory (a 100,000-record report is ~90 MB of XML). The synchronous one-shot functions are
 * themselves a loop over the zlib handle's `writeSync` (lib/zlib.js `processChunkSync`); we run
 * that same loop one bounded output piece at a time. Measured on a 74 MB, 100,000-record report
 * gzipped 15:1 (Node 24): ~800 MB/s including CRC-32, against ~420 MB/s for `gunzipSync` (which
 * also builds the 74 MB buffer) and ~130–220 MB/s for fflate's streaming Inflate. fflate is the
 * fallback if a future Node changes those internals (`createRawInflater` checks their shape).
 */
import { createInflateRaw, constants as zlibConstants } from 'node:zlib';
import { Inflate as FflateInflate } from 'fflate';

/** Largest output piece handed to the consumer: the unit of peak memory per decompression layer. */
export const OUTPUT_PIECE = 64 * 1024;

/** Input pushed into fflate per call. Its output per call can reach 1032 × this (the deflate
 * maximum ratio, RFC 1951 §3.2.5 length 258 per ~2 bits), so it is kept small. */
const FFLATE_SLICE = 16 * 1024;

export type InflateEngine = 'native' | 'fflate';

/** A raw DEFLATE decoder fed in order. */
export interface RawInflater {
  /**
   * Decode `input` (more follows unless `final`), yielding output pieces. Throws InflateError
   * when the data is corrupt, or, with `final`, when the stream is cut short.
   */
  write(input: Uint8Array, final: boolean): Generator<Uint8Array, void, undefined>;
  /** True once the end of the deflate stream (the last block) has been decoded. */
  readonly ended: boolean;
  /**
   * Input bytes that came after the end of the stream in the write that reached it (for gzip,
   * the trailer, RFC 1952 §2.3.1), or null when this engine cannot tell where the stream ended.
   */
  readonly remainder: Uint8Array | null;
  close(): void;
}

/** Corrupt or truncated deflate data; the caller adds which payload it was. */
export class InflateError extends Error {}

/** The parts of a node:zlib engine that `processChunkSync` uses. */
interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  onerror: (message: string, errno: number, code?: string) => void;
}

function nativeInternals(engine: object): { handle: ZlibHandle; state: Uint32Array } | null {
  const { _handle: handle, _writeState: state } = engine as { _handle?: Partial<ZlibHandle> | null; _writeState?: unknown };
  if (handle === null || handle === undefined || typeof handle.writeSync !== 'function') return null;
  if (!(state instanceof Uint32Array) || state.length < 2) return null;
  return { handle: handle as ZlibHandle, state };
}

let nativeAvailable: boolean | null = null;

interface NativeEngine {
  readonly engine: ReturnType<typeof createInflateRaw>;
  readonly handle: ZlibHandle;
  readonly state: Uint32Array;
}

/** Engines finished cleanly and reset, reused by the next payload: building one costs about as
 * much as inflating a small report. */
const idle: NativeEngine[] = [];
const MAX_IDLE = 4;

function takeEngine(): NativeEngine | null {
  const reused = idle.pop();
  if (reused !== undefined) return reused;
  // Its own buffers are never used: the smallest chunk size keeps the engine cheap to create.
  const engine = createInflateRaw({ chunkSize: zlibConstants.Z_MIN_CHUNK });
  const internals = nativeInternals(engine);
  if (internals === null) {
    engine.close();
    return null;
  }
  return { engine, ...internals };
}

/** First output piece: sized from the (untrusted) expected size so a 2 KB report does not cost a
 * 64 KiB buffer; +1 so that an exact fit is seen to be the end without another call. */
function firstPieceSize(sizeHint: number | undefined): number {
  if (sizeHint === undefined || !Number.isFinite(sizeHint) || sizeHint < 0) return OUTPUT_PIECE;
  return Math.min(OUTPUT_PIECE, Math.max(1024, sizeHint + 1));
}

function createNative(sizeHint: number | undefined): RawInflater | null {
  const native = takeEngine();
  if (native === null) return null;
  const { engine, handle, state } = native;
  let failure: string | null = null;
  // Replaces the engine's own handler, which would destroy the stream and emit 'error' later.
  handle.onerror = (message) => {
    failure = message;
  };
  let ended = false;
  let remainder: Uint8Array | null = null;
  let closed = false;
  let spare: Buffer | null = null;
  let pieceSize = firstPieceSize(sizeHint);

  return {
    get ended() {
      return ended;
    },
    get remainder() {
      return remainder;
    },
    *write(input, final) {
      if (closed) throw new InflateError('decoder already closed');
      // Input after the end of the stream is the caller's (a trailer, or junk: Mimecast's CRLF).
      if (ended) return;
      let offset = 0;
      for (;;) {
        const out = spare ?? Buffer.allocUnsafe(pieceSize);
        spare = null;
        const flush = final ? zlibConstants.Z_FINISH : zlibConstants.Z_NO_FLUSH;
        handle.writeSync(flush, input, offset, input.length - offset, out, 0, out.length);
        if (failure !== null) throw new InflateError(failure);
        const availOut = state[0] ?? 0;
        const availIn = state[1] ?? 0;
        offset = input.length - availIn;
        const produced = out.length - availOut;
        if (produced > 0) yield out.subarray(0, produced);
        else spare = out;
        pieceSize = OUTPUT_PIECE;
        if (availOut === 0) continue; // the piece filled up: there may be more output pending
        // zlib stopped with room to spare: it needs more input, or the stream is over. Input left
        // unread means the last block was decoded (Z_STREAM_END); so does a clean Z_FINISH.
        if (availIn > 0 || final) {
          ended = true;
          remainder = input.subarray(offset);
        }
        return;
      }
    },
    close() {
      if (closed) return;
      closed = true;
      if (failure === null && idle.length < MAX_IDLE) {
        try {
          engine.reset();
          idle.push(native);
          return;
        } catch {
          // not reusable after all: close it below
        }
      }
      engine.close();
    },
  };
}

function createFflate(): RawInflater {
  const pending: Uint8Array[] = [];
  const inflater = new FflateInflate((data) => {
    if (data.length > 0) pending.push(data);
  });
  return {
    // fflate keeps where the stream ended to itself; gzip then skips its trailer check.
    ended: false,
    remainder: null,
    *write(input, final) {
      for (let offset = 0; offset < input.length || (final && offset === 0); offset += FFLATE_SLICE) {
        const slice = input.subarray(offset, offset + FFLATE_SLICE);
        const last = final && offset + FFLATE_SLICE >= input.length;
        try {
          inflater.push(slice, last);
        } catch (error) {
          throw new InflateError(error instanceof Error ? error.message : String(error));
        }
        for (const data of pending.splice(0)) {
          for (let at = 0; at < data.length; at += OUTPUT_PIECE) yield data.subarray(at, at + OUTPUT_PIECE);
        }
        if (input.length === 0) break;
      }
    },
    close() {
      pending.length = 0;
    },
  };
}

/** A raw DEFLATE decoder: node:zlib's when its internals are as expected, else fflate. */
export function createRawInflater(engine: InflateEngine = 'native', sizeHint?: number): RawInflater {
  if (engine === 'native' && nativeAvailable !== false) {
    const native = createNative(sizeHint);
    nativeAvailable = native !== null;
    if (native !== null) return native;
  }
  return createFflate();
}
