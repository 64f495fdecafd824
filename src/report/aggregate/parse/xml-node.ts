/**
 * fast-xml-parser over one section, and typed access to the tree it returns.
 *
 * Entity processing is off in the parser: the only entities a report may use are XML's five
 * predefined ones and character references, which `decodeEntities` resolves in text we read.
 * No DOCTYPE ever reaches the parser (sections.ts cuts below the root), so no XML bomb or
 * external entity can expand.
 */
import { XMLParser } from 'fast-xml-parser';
import { LimitExceededError, MalformedInputError } from '../../../errors.js';
import { LIMIT_SETTINGS } from '../../../limits.js';
import { parsePlainElement } from './plain-element.js';
import type { XmlNode, XmlValue } from './xml-tree.js';

/** Thrown while reading a section whose tree shows it was not well formed; the caller repairs
 * the text and reads it again. */
export class NeedsRepair extends Error {}

/** fast-xml-parser's options for a section; exported so the fast path's test can compare. */
export const SECTION_PARSER_OPTIONS = (maxDepth: number) =>
  ({
    ignoreAttributes: true,
    removeNSPrefix: true,
    parseTagValue: false,
    trimValues: true,
    processEntities: false,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: maxDepth,
    // No path strings for callbacks we do not use: building them per element cost ~5 % of ingest.
    jPath: false,
  }) as const;

export function createSectionParser(maxDepth: number): (xml: string) => XmlNode {
  const parser = new XMLParser(SECTION_PARSER_OPTIONS(maxDepth));

  return (xml) => {
    const plain = parsePlainElement(xml, maxDepth);
    if (plain !== null) return plain;
    try {
      return parser.parse(xml) as XmlNode;
    } catch (error) {
      // fast-xml-parser throws plain Errors; turn them into ours so that callers (and the
      // hostile-input property test) only ever see typed failures.
      const message = (error as Error).message;
      if (/nested tags/i.test(message)) {
        throw new LimitExceededError(LIMIT_SETTINGS.maxXmlDepth, maxDepth, 'element nesting depth');
      }
      throw new MalformedInputError(`XML not readable: ${message}`);
    }
  };
}

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML 1.0 §4.6 predefined entities and §4.1 character references; anything else stays as written. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(?:#(\d{1,7})|#x([0-9A-Fa-f]{1,6})|([A-Za-z]+));/g, (whole, dec?: string, hex?: string, name?: string) => {
    if (name !== undefined) return PREDEFINED[name] ?? whole;
    const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? '', 16);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** The child elements named `key` (any count) as a list. */
export function children(node: XmlNode | undefined, key: string): XmlValue[] {
  const value = node?.[key];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The child element `key` as an object; an element given as text (`<auth_results></auth_results>`)
 * is an empty object. */
export function child(node: XmlNode | undefined, key: string): XmlNode | undefined {
  const value = first(node?.[key]);
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? {} : undefined;
  return value;
}

/**
 * Text of the child element `key`: null when absent, '' when empty. When the element holds
 * markup instead of text (`<email><bad-xml@x></email>`), the section was not well formed:
 * throw NeedsRepair unless `repaired`, then take whatever text is there.
 */
export function text(node: XmlNode | undefined, key: string, repaired: boolean): string | null {
  const value = first(node?.[key]);
  if (value === undefined) return null;
  if (typeof value === 'string') return decodeEntities(value);
  if (!repaired) throw new NeedsRepair(key);
  const inner = value['#text'];
  return typeof inner === 'string' ? decodeEntities(inner) : '';
}

function first(value: XmlValue | undefined): string | XmlNode | undefined {
  let v = value;
  while (Array.isArray(v)) v = v[0];
  return v;
}

const KNOWN_ELEMENTS =
  'org_name|email|extra_contact_info|report_id|begin|end|error|domain|adkim|aspf|p|sp|np|pct|fo|testing|discovery_method|generator|source_ip|count|disposition|dkim|spf|type|comment|header_from|envelope_from|envelope_to|selector|result|human_result|scope|version';

/**
 * Best-effort repair of a section that is not well formed (real reports), as a recovering parser
 * would: a `<` that does not start markup is text (`<bad-xml@bad-xml.net>` in an email element,
 * `example.com<foo`), and an end tag that lost its `<` (`2025042100/report_id>`, KDDI) gets it back.
 */
export function repairSection(xml: string): string {
  return xml
    .replace(new RegExp(`([^<\\s>/])/(${KNOWN_ELEMENTS})>`, 'g'), '$1</$2>')
    .replace(/<(?!\/?[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?(?:\s[^<>]*)?\/?>|!--|!\[CDATA\[|\?)/g, '&lt;');
}
