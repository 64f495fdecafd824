/**
 * Zip archives (PKWARE APPNOTE.TXT 6.3.10): the central directory lists the members; each member
 * is read from its local header and decompressed lazily, one bounded piece at a time.
 *
 * Why our own reader: fflate's `unzipSync` inflates every member into memory at once; reading the
 * directory ourselves lets each member go through the same lazy, bounded inflater as gzip. Sizes
 * in the archive are only used to find bytes, never to bound output: the decompression budget
 * counts what really comes out, and each member's CRC-32 and size are checked at its end.
 *
 * Not an RFC format for reports (RFC 7489 §7.2.1.1 names gzip; zip is de facto, Google sends
 * `.zip`). Seen in real reports:
 * a first entry that is a directory, entries with an empty name, several entries.
 */
import { crc32 } from 'node:zlib';
import { LimitExceededError, MalformedInputError } from '../errors.js';
import { charge, type ExtractContext } from './budget.js';
import { createRawInflater, InflateError } from './inflate.js';
import { LIMIT_SETTINGS } from '../limits.js';
import { PIECE_SIZE, streamSource, type ByteSource } from './source.js';

export interface ZipMember {
  /** As stored; `member N` when the archive gives it no name (quirk 6). */
  readonly name: string;
  readonly isDirectory: boolean;
  readonly method: number;
  readonly encrypted: boolean;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

// APPNOTE.TXT §4.3: record signatures, little-endian "PK" + two bytes.
const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const EOCD_SIZE = 22;
/** The EOCD ends the file, followed only by its comment (at most 65535 bytes, §4.3.16). */
const MAX_COMMENT = 0xffff;

// Compression methods (§4.4.5) we can read.
const STORED = 0;
const DEFLATED = 8;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8 = 0x0800;

class Reader {
  constructor(
    readonly bytes: Uint8Array,
    readonly label: string,
  ) {}
  private check(at: number, length: number): void {
    if (at < 0 || at + length > this.bytes.length) throw this.fail('a record points outside the archive');
  }
  u16(at: number): number {
    this.check(at, 2);
    return (this.bytes[at] ?? 0) | ((this.bytes[at + 1] ?? 0) << 8);
  }
  u32(at: number): number {
    this.check(at, 4);
    return ((this.bytes[at] ?? 0) | ((this.bytes[at + 1] ?? 0) << 8) | ((this.bytes[at + 2] ?? 0) << 16) | ((this.bytes[at + 3] ?? 0) << 24)) >>> 0;
  }
  u64(at: number): number {
    const value = this.u32(at) + this.u32(at + 4) * 0x1_0000_0000;
    if (!Number.isSafeInteger(value)) throw this.fail('a ZIP64 size is out of range');
    return value;
  }
  slice(at: number, length: number): Uint8Array {
    this.check(at, length);
    return this.bytes.subarray(at, at + length);
  }
  fail(reason: string): MalformedInputError {
    return new MalformedInputError(`${this.label} is not a valid zip archive (${reason})`);
  }
}

function findEndOfCentralDirectory(r: Reader): number {
  const bytes = r.bytes;
  const lowest = Math.max(0, bytes.length - EOCD_SIZE - MAX_COMMENT);
  for (let at = bytes.length - EOCD_SIZE; at >= lowest; at--) {
    if (bytes[at] === 0x50 && bytes[at + 1] === 0x4b && r.u32(at) === EOCD) return at;
  }
  throw r.fail('no end of central directory record; truncated?');
}

interface Directory {
  readonly entries: number;
  readonly offset: number;
  readonly size: number;
}

function readDirectoryLocation(r: Reader): Directory {
  const eocd = findEndOfCentralDirectory(r);
  if (r.u16(eocd + 4) !== 0 || r.u16(eocd + 6) !== 0) throw r.fail('it spans several disks');
  let entries = r.u16(eocd + 10);
  let size = r.u32(eocd + 12);
  let offset = r.u32(eocd + 16);
  // ZIP64 (§4.3.14, §4.3.15): the 32-bit fields hold all-ones and the real values sit in a
  // ZIP64 end record found through the locator just before the EOCD.
  if (entries === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator >= 0 && r.u32(locator) === ZIP64_LOCATOR) {
      const record = r.u64(locator + 8);
      if (r.u32(record) !== ZIP64_EOCD) throw r.fail('bad ZIP64 end of central directory record');
      entries = r.u64(record + 32);
      size = r.u64(record + 40);
      offset = r.u64(record + 48);
    }
  }
  return { entries, offset, size };
}

function decodeName(raw: Uint8Array, utf8: boolean): string {
  if (utf8) return new TextDecoder('utf-8').decode(raw);
  // Without the UTF-8 flag names are CP437 by the spec, but many writers put UTF-8 there anyway.
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return new TextDecoder('latin1').decode(raw);
  }
}

/** §4.5.3: the ZIP64 extra field carries whichever of the sizes/offset overflowed, in order. */
function applyZip64Extra(r: Reader, extraStart: number, extraLength: number, fields: { size: number; compressedSize: number; offset: number }): void {
  let at = extraStart;
  const end = extraStart + extraLength;
  while (at + 4 <= end) {
    const id = r.u16(at);
    const length = r.u16(at + 2);
    if (id === 0x0001) {
      let field = at + 4;
      if (fields.size === 0xffffffff) (fields.size = r.u64(field)), (field += 8);
      if (fields.compressedSize === 0xffffffff) (fields.compressedSize = r.u64(field)), (field += 8);
      if (fields.offset === 0xffffffff) fields.offset = r.u64(field);
      return;
    }
    at += 4 + length;
  }
}

/** Every entry of the central directory; stops with LimitExceededError past `max_zip_members`. */
export function readMembers(bytes: Uint8Array, label: string, maxMembers: number): ZipMember[] {
  const r = new Reader(bytes, label);
  const dir = readDirectoryLocation(r);
  const members: ZipMember[] = [];
  let files = 0;
  let at = dir.offset;
  for (let i = 0; i < dir.entries; i++) {
    if (r.u32(at) !== CENTRAL) throw r.fail(`central directory entry ${i + 1} is damaged`);
    const flags = r.u16(at + 8);
    const method = r.u16(at + 10);
    const fields = { compressedSize: r.u32(at + 20), size: r.u32(at + 24), offset: r.u32(at + 42) };
    const crc = r.u32(at + 16);
    const nameLength = r.u16(at + 28);
    const extraLength = r.u16(at + 30);
    const commentLength = r.u16(at + 32);
    const externalAttributes = r.u32(at + 38);
    const rawName = r.slice(at + 46, nameLength);
    applyZip64Extra(r, at + 46 + nameLength, extraLength, fields);
    const name = decodeName(rawName, (flags & FLAG_UTF8) !== 0);
    // A directory: name ending in a slash (§4.4.17), or the MS-DOS directory attribute.
    const isDirectory = /[/\\]$/.test(name) || (externalAttributes & 0x10) !== 0;
    if (!isDirectory && ++files > maxMembers) {
      throw new LimitExceededError(LIMIT_SETTINGS.maxZipMembers, maxMembers, `number of members in ${label}`);
    }
    members.push({
      name: name === '' ? `member ${i + 1}` : name,
      isDirectory,
      method,
      encrypted: (flags & FLAG_ENCRYPTED) !== 0,
      crc,
      compressedSize: fields.compressedSize,
      size: fields.size,
      localHeaderOffset: fields.offset,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return members;
}

/** Where the member's data starts: after its local header, whose name/extra lengths may differ
 * from the central directory's (§4.3.7). */
function dataOffset(r: Reader, member: ZipMember): number {
  const at = member.localHeaderOffset;
  if (r.u32(at) !== LOCAL) throw r.fail(`local header of ${member.name} not found`);
  return at + 30 + r.u16(at + 26) + r.u16(at + 28);
}

/** The member's content as a source; throws MalformedInputError for what cannot be read. */
export function memberSource(archive: Uint8Array, member: ZipMember, label: string, context: ExtractContext): ByteSource {
  const where = `${member.name} in ${label}`;
  if (member.encrypted) throw new MalformedInputError(`${where} is encrypted`);
  if (member.method !== STORED && member.method !== DEFLATED) {
    throw new MalformedInputError(`${where} uses zip compression method ${member.method}; only stored (0) and deflate (8) are supported`);
  }
  const r = new Reader(archive, label);
  const data = r.slice(dataOffset(r, member), member.compressedSize);
  return streamSource(() => readMember(data, member, where, context));
}

function* readMember(data: Uint8Array, member: ZipMember, where: string, context: ExtractContext): Generator<Uint8Array, void, undefined> {
  let crc = 0;
  let size = 0;
  const count = (piece: Uint8Array): void => {
    crc = crc32(piece, crc);
    size += piece.length;
    charge(context, piece.length, where);
  };
  if (member.method === STORED) {
    for (let at = 0; at < data.length; at += PIECE_SIZE) {
      const piece = data.subarray(at, at + PIECE_SIZE);
      count(piece);
      yield piece;
    }
  } else {
    const inflater = createRawInflater('native', member.size);
    try {
      for (const piece of inflater.write(data, true)) {
        count(piece);
        yield piece;
      }
    } catch (error) {
      if (error instanceof InflateError) throw new MalformedInputError(`${where} is corrupt (${error.message})`, { cause: error });
      throw error;
    } finally {
      inflater.close();
    }
  }
  if (crc >>> 0 !== member.crc) throw new MalformedInputError(`${where} is corrupt (CRC-32 mismatch)`);
  if (size !== member.size) throw new MalformedInputError(`${where} is corrupt (${size} bytes, the archive says ${member.size})`);
}
