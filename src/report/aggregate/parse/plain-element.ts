/**
 * A fast path for the common shape of a report section: elements and text only — no attributes,
 * comments, CDATA, processing instructions or mixed content. It returns exactly the tree
 * fast-xml-parser returns with our options (createSectionParser: namespace prefixes removed,
 * values trimmed and kept as strings, entities left for decodeEntities), or null for anything
 * else, which then goes to fast-xml-parser.
 *
 * Why: fast-xml-parser costs ~80 µs per record here (bench: 100k records ≈ 8 s), which alone
 * would keep ingestion of small report e-mails far below the 500 messages/s target. Records are
 * nearly always this plain shape; this scanner reads one in a few µs. The equivalence is checked
 * by test/parse/plain-element.test.ts on every sample record and on generated ones.
 */
import type { XmlNode, XmlValue } from './xml-tree.js';

interface Open {
  readonly qname: string;
  readonly obj: Record<string, XmlValue>;
  text: string;
  hasChild: boolean;
}

const NAME = /^[A-Za-z_][\w.:-]*$/;
/** Keys that would touch Object.prototype; fast-xml-parser refuses them, so do we (fallback). */
const UNSAFE = new Set(['__proto__', 'constructor', 'prototype']);

export function parsePlainElement(xml: string, maxDepth: number): XmlNode | null {
  const root: Open = { qname: '', obj: {}, text: '', hasChild: false };
  const stack: Open[] = [];
  let cur = root;
  let i = 0;
  const n = xml.length;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) {
      if (xml.slice(i).trim() !== '') return null;
      break;
    }
    if (lt > i) {
      if (cur === root) {
        if (xml.slice(i, lt).trim() !== '') return null;
      } else {
        cur.text += xml.slice(i, lt);
      }
    }
    const next = xml.charCodeAt(lt + 1);
    if (next === 0x21 /* ! */ || next === 0x3f /* ? */) return null;
    const gt = xml.indexOf('>', lt);
    if (gt < 0) return null;
    if (next === 0x2f /* / */) {
      if (xml.slice(lt + 2, gt).trim() !== cur.qname || cur === root) return null;
      const text = cur.text.trim();
      if (cur.hasChild && text !== '') return null; // mixed content: fast-xml-parser's #text shape
      const value: XmlValue = cur.hasChild ? cur.obj : text;
      const parent = stack.pop() as Open;
      if (!add(parent.obj, cur.qname, value)) return null;
      parent.hasChild = true;
      cur = parent;
      i = gt + 1;
      continue;
    }
    let tag = xml.slice(lt + 1, gt);
    const selfClosing = tag.endsWith('/');
    if (selfClosing) tag = tag.slice(0, -1);
    const qname = tag.trimEnd();
    if (!NAME.test(qname)) return null; // attributes, odd names: fast-xml-parser decides
    if (selfClosing) {
      if (!add(cur.obj, qname, '')) return null;
      cur.hasChild = true;
      i = gt + 1;
      continue;
    }
    if (stack.length >= maxDepth) return null;
    stack.push(cur);
    cur = { qname, obj: {}, text: '', hasChild: false };
    i = gt + 1;
  }
  return stack.length === 0 && root.hasChild ? root.obj : null;
}

function add(obj: Record<string, XmlValue>, qname: string, value: XmlValue): boolean {
  const colon = qname.indexOf(':');
  const key = colon < 0 ? qname : qname.slice(colon + 1);
  if (UNSAFE.has(key) || key === '' || key === '#text') return false;
  const existing = obj[key];
  if (existing === undefined) obj[key] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else obj[key] = [existing, value];
  return true;
}
