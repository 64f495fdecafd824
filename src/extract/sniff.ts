/**
 * What a byte string is, decided by its first bytes and never by a file name or a declared media
 * type: reporters mislabel reports (Amazon SES sends `application/octet-stream`, Yahoo
 * `application/x-zip-compressed`; seen too: `application/gzip` holding a zip, a misspelt
 * `ContentType:` header, a `.xml.gz` attachment that is a PNG), so the magic numbers are
 * the only thing worth trusting.
 */

export const SNIFFED_KINDS = ['gzip', 'zip', 'xml', 'mbox', 'message', 'unknown'] as const;
export type SniffedKind = (typeof SNIFFED_KINDS)[number];

/** Whitespace skipped before an XML document's first `<` (XML 1.0 §2.3 S production). */
function isXmlSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0a;
}

/** Leading whitespace looked through before giving up on XML: a report never starts with more. */
const MAX_LEADING_SPACE = 4096;

/** Does an XML document start here: optional BOM, whitespace, then `<` (in UTF-8 or UTF-16)? */
function looksLikeXml(bytes: Uint8Array): boolean {
  const b0 = bytes[0];
  const b1 = bytes[1];
  // UTF-16 with a byte-order mark, or without one (XML 1.0 Appendix F.1: `<` as 00 3C / 3C 00).
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0x3c && b1 === 0x00)) return looksLikeUtf16Xml(bytes, b0 === 0xff ? 2 : 0, 'le');
  if ((b0 === 0xfe && b1 === 0xff) || (b0 === 0x00 && b1 === 0x3c)) return looksLikeUtf16Xml(bytes, b0 === 0xfe ? 2 : 0, 'be');
  let i = b0 === 0xef && b1 === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const end = Math.min(bytes.length, i + MAX_LEADING_SPACE);
  while (i < end && isXmlSpace(bytes[i])) i++;
  return bytes[i] === 0x3c;
}

function looksLikeUtf16Xml(bytes: Uint8Array, start: number, order: 'le' | 'be'): boolean {
  const end = Math.min(bytes.length - 1, start + 2 * MAX_LEADING_SPACE);
  for (let i = start; i < end; i += 2) {
    const hi = order === 'le' ? bytes[i + 1] : bytes[i];
    const lo = order === 'le' ? bytes[i] : bytes[i + 1];
    if (hi !== 0x00) return false;
    if (lo === 0x3c) return true;
    if (!isXmlSpace(lo)) return false;
  }
  return false;
}

/** First line of the input, as latin1 (header names are ASCII; RFC 5322 §2.2). */
function firstLine(bytes: Uint8Array, max = 1000): string {
  let end = 0;
  const limit = Math.min(bytes.length, max);
  while (end < limit && bytes[end] !== 0x0a && bytes[end] !== 0x0d) end++;
  let line = '';
  for (let i = 0; i < end; i++) line += String.fromCharCode(bytes[i] ?? 0);
  return line;
}

/**
 * An RFC 5322 header field at the very start: a field name (§3.6.8: printable ASCII without `:`;
 * we accept the letters, digits and punctuation that real header names use), optional blanks
 * (obsolete syntax, §4.5.8, still written by some MTAs), then `:`. The typo `ContentType:` seen
 * from Trustwave (quirk 4) is still a header line. A URL (`http://…`) is not.
 */
const HEADER_LINE = /^[A-Za-z0-9][A-Za-z0-9!#$%&'*+.^_`|~-]{0,75}[ \t]*:(?!\/\/)/;

export function sniff(bytes: Uint8Array): SniffedKind {
  if (bytes.length === 0) return 'unknown';
  const b0 = bytes[0];
  const b1 = bytes[1];
  // RFC 1952 §2.3.1: ID1 = 31, ID2 = 139.
  if (b0 === 0x1f && b1 === 0x8b) return 'gzip';
  // APPNOTE.TXT §4.3.7 local file header "PK\3\4"; §4.3.16 end of central directory "PK\5\6"
  // opens an archive with no members.
  if (b0 === 0x50 && b1 === 0x4b && ((bytes[2] === 0x03 && bytes[3] === 0x04) || (bytes[2] === 0x05 && bytes[3] === 0x06))) {
    return 'zip';
  }
  if (looksLikeXml(bytes)) return 'xml';
  const line = firstLine(bytes);
  // The mbox "From_" line (RFC 4155 §2): "From " then the envelope sender and a date.
  if (line.startsWith('From ')) return 'mbox';
  if (HEADER_LINE.test(line)) return 'message';
  return 'unknown';
}

/** Magic numbers of formats that are not reports, so an error can say what arrived instead. */
const SIGNATURES: readonly { readonly magic: readonly number[]; readonly name: string }[] = [
  { magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], name: 'PNG image' },
  { magic: [0xff, 0xd8, 0xff], name: 'JPEG image' },
  { magic: [0x47, 0x49, 0x46, 0x38], name: 'GIF image' },
  { magic: [0x25, 0x50, 0x44, 0x46, 0x2d], name: 'PDF document' },
  { magic: [0x42, 0x5a, 0x68], name: 'bzip2 data' },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], name: 'xz data' },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], name: 'zstd data' },
  { magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], name: '7-zip archive' },
  { magic: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07], name: 'RAR archive' },
  { magic: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], name: 'Microsoft Office document' },
  { magic: [0x7b], name: 'JSON text' },
];

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  if (bytes.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[i] !== magic[i]) return false;
  return true;
}

/** Bytes inspected to tell text from binary. */
const TEXT_WINDOW = 512;
/** Text this short is quoted in the description (Yahoo once sent a gzip body that was the word
 * "unused", parsedmarc issue #409; saying so beats "text"). */
const QUOTE_MAX = 32;

function describeText(bytes: Uint8Array): string | null {
  const n = Math.min(bytes.length, TEXT_WINDOW);
  for (let i = 0; i < n; i++) {
    const b = bytes[i] ?? 0;
    // Control characters other than TAB, LF, FF, CR mean binary; bytes >= 0x80 may be UTF-8.
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) return null;
    if (b === 0x7f) return null;
  }
  if (bytes.length <= QUOTE_MAX) {
    const text = new TextDecoder('utf-8').decode(bytes).trim();
    return text === '' ? 'blank text' : `text "${text}"`;
  }
  return 'text';
}

function describeXml(bytes: Uint8Array): string {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024)).toLowerCase();
  if (/<!doctype\s+html|<html[\s>]/.test(head)) return 'HTML document';
  if (/<svg[\s>]/.test(head)) return 'SVG image';
  return 'XML document';
}

/** A short human name for what the bytes are, for error messages ("is a PNG image, not …"). */
export function describeBytes(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'empty (0 bytes)';
  switch (sniff(bytes)) {
    case 'gzip':
      return 'gzip data';
    case 'zip':
      return bytes[2] === 0x05 ? 'empty zip archive' : 'zip archive';
    case 'xml':
      return describeXml(bytes);
    case 'mbox':
      return 'mbox mailbox';
    case 'message':
      return 'e-mail message';
    case 'unknown':
      break;
  }
  for (const { magic, name } of SIGNATURES) if (startsWith(bytes, magic)) return name;
  return describeText(bytes) ?? 'binary data';
}

/** "a PNG image", "an XML document", "empty (0 bytes)": the description with its article. */
export function withArticle(description: string): string {
  if (/^(empty \(|text|blank|JSON)/.test(description) || description.endsWith(' data')) return description;
  return `${/^(XML|HTML|SVG|RAR|e-mail|mbox|empty zip)/.test(description) ? 'an' : 'a'} ${description}`;
}
