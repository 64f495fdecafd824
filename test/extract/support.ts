/**
 * Helpers for the extract tests: sample files, a full drain of a payload, and hand-built
 * containers (gzip with odd headers, zips with lying sizes, deflate streams that inflate to
 * gigabytes from a few megabytes) that no compressor would write.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { DEFAULT_LIMITS, type Limits } from '../../src/limits.js';
import type { Payload } from '../../src/extract/message.js';
import { openPayload, type DecompressionBudget } from '../../src/extract/payload.js';

export const SAMPLES = fileURLToPath(new URL('../fixtures/samples/aggregate/', import.meta.url));

export function sampleFiles(dir = SAMPLES): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? sampleFiles(path) : [path];
    });
}

export function sample(relativePath: string): Uint8Array {
  return new Uint8Array(readFileSync(join(SAMPLES, relativePath)));
}

export function limits(overrides: Partial<Limits> = {}): Limits {
  return { ...DEFAULT_LIMITS, ...overrides };
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');

export interface Drained {
  readonly name: string;
  readonly size: number;
  /** The first 4 KiB and the last 256 bytes, enough to look for `<feedback` and `</feedback>`. */
  readonly head: string;
  readonly tail: string;
  readonly largestChunk: number;
}

/** Open a payload and read every document to the end, keeping only a summary. */
export function drain(payload: Payload, lim: Limits = DEFAULT_LIMITS, budget?: DecompressionBudget): Drained[] {
  const out: Drained[] = [];
  for (const doc of openPayload(payload, lim, budget)) {
    let size = 0;
    let head = '';
    let tail = '';
    let largestChunk = 0;
    for (const chunk of doc.chunks) {
      size += chunk.length;
      largestChunk = Math.max(largestChunk, chunk.length);
      if (head.length < 4096) head += latin1(chunk.subarray(0, 4096 - head.length));
      tail = (tail + latin1(chunk.subarray(Math.max(0, chunk.length - 256)))).slice(-256);
    }
    out.push({ name: doc.name, size, head, tail, largestChunk });
  }
  return out;
}

export function payload(name: string, bytes: Uint8Array, origin?: Payload['origin']): Payload {
  return origin === undefined ? { name, declaredType: null, bytes } : { name, declaredType: null, bytes, origin };
}

export function xmlReport(id = 'r-1', records = 1): string {
  const record = `<record><row><source_ip>192.0.2.1</source_ip><count>1</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers><auth_results><spf><domain>example.com</domain><result>pass</result></spf></auth_results></record>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<feedback><report_metadata><org_name>Reporter</org_name><email>r@example.net</email><report_id>${id}</report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range></report_metadata><policy_published><domain>example.com</domain><p>none</p></policy_published>${record.repeat(records)}</feedback>\n`;
}

export function gzip(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(gzipSync(typeof data === 'string' ? text(data) : data));
}

function u16(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff];
}
function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

/**
 * A raw deflate stream that inflates to `megabytes` MiB of zeros while being about 1 KiB per MiB:
 * one sync-flushed block of zeros (byte-aligned, its back-references only reach zeros), repeated,
 * then an empty final block (RFC 1951 §3.2.6: BFINAL=1, fixed codes, end-of-block = `03 00`).
 */
export function zeroBombDeflate(megabytes: number, withCrc = true): { deflated: Uint8Array; size: number; crc: number } {
  const mib = new Uint8Array(1024 * 1024);
  const block = deflateRawSync(mib, { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  const deflated = new Uint8Array(block.length * megabytes + 2);
  let crc = 0;
  for (let i = 0; i < megabytes; i++) {
    deflated.set(block, i * block.length);
    if (withCrc) crc = crc32(mib, crc);
  }
  deflated.set([0x03, 0x00], block.length * megabytes);
  return { deflated, size: megabytes * mib.length, crc };
}

/** A gzip member around a raw deflate stream (RFC 1952 §2.3), with optional header fields. */
export function gzipMember(
  deflated: Uint8Array,
  size: number,
  crc: number,
  header: { name?: string; comment?: string; extra?: Uint8Array; headerCrc?: boolean; flags?: number } = {},
): Uint8Array {
  let flags = header.flags ?? 0;
  const fields: number[] = [];
  if (header.extra !== undefined) (flags |= 0x04), fields.push(...u16(header.extra.length), ...header.extra);
  if (header.name !== undefined) (flags |= 0x08), fields.push(...text(header.name), 0);
  if (header.comment !== undefined) (flags |= 0x10), fields.push(...text(header.comment), 0);
  const head = [0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3, ...fields];
  if (header.headerCrc === true) {
    head[3] = flags | 0x02;
    head.push(...u16(crc32(new Uint8Array(head)) & 0xffff));
  }
  return new Uint8Array([...head, ...deflated, ...u32(crc), ...u32(size >>> 0)]);
}

export interface ZipEntry {
  readonly name: string;
  /** Uncompressed content; compressed with deflate unless `method` is 0. */
  readonly data?: Uint8Array;
  /** Already-compressed member data (then `size` and `crc` should be given). */
  readonly raw?: Uint8Array;
  readonly method?: number;
  readonly size?: number;
  readonly crc?: number;
  readonly flags?: number;
  readonly externalAttributes?: number;
}

/** A zip archive (APPNOTE.TXT §4.3) whose every field can lie. */
export function makeZip(entries: readonly ZipEntry[]): Uint8Array {
  const locals: number[] = [];
  const central: number[] = [];
  for (const entry of entries) {
    const method = entry.method ?? 8;
    const data = entry.data ?? new Uint8Array(0);
    const stored = entry.raw ?? (method === 0 ? data : new Uint8Array(deflateRawSync(data)));
    const crc = entry.crc ?? crc32(data);
    const size = entry.size ?? data.length;
    const name = text(entry.name);
    const flags = entry.flags ?? 0;
    const offset = locals.length;
    locals.push(...u32(0x04034b50), ...u16(20), ...u16(flags), ...u16(method), ...u16(0), ...u16(0x21));
    locals.push(...u32(crc), ...u32(stored.length), ...u32(size), ...u16(name.length), ...u16(0), ...name);
    for (const b of stored) locals.push(b);
    central.push(...u32(0x02014b50), ...u16(20), ...u16(20), ...u16(flags), ...u16(method), ...u16(0), ...u16(0x21));
    central.push(...u32(crc), ...u32(stored.length), ...u32(size), ...u16(name.length), ...u16(0), ...u16(0));
    central.push(...u16(0), ...u16(0), ...u32(entry.externalAttributes ?? 0), ...u32(offset), ...name);
  }
  const eocd = [...u32(0x06054b50), ...u16(0), ...u16(0), ...u16(entries.length), ...u16(entries.length)];
  eocd.push(...u32(central.length), ...u32(locals.length), ...u16(0));
  return new Uint8Array([...locals, ...central, ...eocd]);
}

/** A minimal RFC 5322 message. `body` is used as is (give it CRLFs or LFs as you like). */
export function message(headers: Record<string, string>, body: string): Uint8Array {
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n');
  return text(`${head}\r\n\r\n${body}`);
}

export function base64Lines(bytes: Uint8Array): string {
  return (Buffer.from(bytes).toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}
