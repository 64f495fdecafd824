/**
 * Cuts a streamed report into the children of its root element ("sections"): report_metadata,
 * policy_published, each record, version, extension…. Each section is small and is handed to
 * fast-xml-parser on its own, so memory stays flat however many records a report has.
 *
 * Tolerance, as real reports need: anything before the root `feedback` element is skipped (the XML
 * declaration, comments, a DOCTYPE — never processed, so no entity can expand — or the stray
 * unclosed `<xs:schema>` wrapper seen from IKEA); elements are matched by local name whatever
 * their namespace prefix; a document that ends early keeps the complete sections read so far.
 * Inside a section, CDATA, comments and processing instructions are skipped whole while looking
 * for the end tag, so `<![CDATA[</org_name>]]>` in a valid report does not end its section.
 */
import { LimitExceededError, ReportRejectedError } from '../../../errors.js';
import type { Limits } from '../../../limits.js';
import { LIMIT_SETTINGS, QUOTED_VALUE_CHARS } from '../../../limits.js';
import type { IssueLog } from '../issues.js';

export interface Section {
  /** Local name of the element (namespace prefix removed). */
  readonly name: string;
  /** The element's full text, from `<name …>` to `</name>`. */
  readonly xml: string;
}

export interface RootInfo {
  /** Namespace of the root element, from its default or prefixed xmlns attribute. */
  readonly namespace: string | null;
}

const ROOT_PATTERN = /<(?:([A-Za-z_][\w.-]*):)?feedback(?=[\s/>])/;
const NAME_PATTERN = /^[A-Za-z_][\w.:-]*/;

/**
 * Yields the root's child elements in document order; `onRoot` hears what the root element
 * looked like before the first child is yielded. Throws ReportRejectedError when there is no `feedback` root at all.
 */
export function* splitSections(
  texts: Iterable<string>,
  limits: Limits,
  issues: IssueLog,
  onRoot: (root: RootInfo) => void,
): Generator<Section, void> {
  const source = texts[Symbol.iterator]();
  let buf = '';
  let pos = 0;
  let ended = false;

  /** Append the next text chunk; false at end of input. */
  const more = (): boolean => {
    if (ended) return false;
    const next = source.next();
    if (next.done === true) {
      ended = true;
      return false;
    }
    buf = pos > 0 ? buf.slice(pos) + next.value : buf + next.value;
    pos = 0;
    return true;
  };
  const guard = (from: number): void => {
    if (buf.length - from > limits.maxSectionBytes) {
      throw new LimitExceededError(LIMIT_SETTINGS.maxSectionBytes, limits.maxSectionBytes, 'one XML element of the report');
    }
  };

  // 1. Find the root element.
  let root: RegExpExecArray | null = null;
  for (;;) {
    root = ROOT_PATTERN.exec(buf);
    if (root !== null) break;
    // Keep only a tail long enough to hold a split `<prefix:feedback`.
    if (buf.length > 4096) buf = buf.slice(-256);
    if (!more()) {
      throw new ReportRejectedError(
        buf.trim() === '' ? 'document is empty' : 'no <feedback> root element: not a DMARC aggregate report',
      );
    }
  }
  const before = buf.slice(0, root.index);
  if (/<!DOCTYPE/i.test(before)) issues.note('xml.doctype_ignored', 'DOCTYPE declaration ignored (entities are never expanded)');
  const stray = before.replace(/<\?xml[^>]*\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>|\s+/g, '');
  if (stray !== '') issues.note('xml.before_root', `content before <feedback> skipped: "${stray.slice(0, QUOTED_VALUE_CHARS)}"`);
  const prefix = root[1] ?? null;
  pos = root.index;
  while (buf.indexOf('>', pos) < 0) {
    guard(pos);
    if (!more()) throw new ReportRejectedError('document ends inside the <feedback> start tag');
  }
  const rootTagEnd = buf.indexOf('>', pos);
  const rootTag = buf.slice(pos, rootTagEnd + 1);
  const nsAttr = prefix === null ? /\sxmlns\s*=\s*["']([^"']*)["']/ : new RegExp(`\\sxmlns:${prefix}\\s*=\\s*["']([^"']*)["']`);
  onRoot({ namespace: nsAttr.exec(rootTag)?.[1] ?? null });
  if (rootTag.endsWith('/>')) return;
  pos = rootTagEnd + 1;

  // 2. Cut the root's children.
  for (;;) {
    let lt = buf.indexOf('<', pos);
    while (lt < 0) {
      pos = buf.length;
      if (!more()) {
        issues.note('xml.truncated', 'document ends before </feedback>');
        return;
      }
      lt = buf.indexOf('<', pos);
    }
    pos = lt;
    // Need a few characters to classify the markup.
    while (buf.length - pos < 10 && more()) {
      /* keep reading */
    }
    const second = buf.charCodeAt(pos + 1);
    if (second === 0x21 /* ! */) {
      // Comment, CDATA or declaration between sections: skip to its end.
      const isComment = buf.startsWith('<!--', pos);
      const close = isComment ? '-->' : buf.startsWith('<![CDATA[', pos) ? ']]>' : '>';
      let end = buf.indexOf(close, pos);
      while (end < 0) {
        guard(pos);
        if (!more()) {
          issues.note('xml.truncated', 'document ends inside a comment');
          return;
        }
        end = buf.indexOf(close, pos);
      }
      pos = end + close.length;
      continue;
    }
    if (second === 0x3f /* ? */) {
      let end = buf.indexOf('?>', pos);
      while (end < 0) {
        guard(pos);
        if (!more()) return;
        end = buf.indexOf('?>', pos);
      }
      pos = end + 2;
      continue;
    }
    if (second === 0x2f /* / */) {
      // A closing tag at this level closes the root (or is stray: skip it and go on).
      let end = buf.indexOf('>', pos);
      while (end < 0) {
        if (!more()) return;
        end = buf.indexOf('>', pos);
      }
      const name = localName(buf.slice(pos + 2, end).trim());
      if (name === 'feedback') return;
      issues.note('xml.stray_end_tag', `stray </${name}> skipped`);
      pos = end + 1;
      continue;
    }
    // Find the end of the start tag, then the matching end tag.
    let tagEnd = buf.indexOf('>', pos);
    while (tagEnd < 0) {
      guard(pos);
      if (!more()) {
        issues.note('xml.truncated', 'document ends inside a start tag');
        return;
      }
      tagEnd = buf.indexOf('>', pos);
    }
    const qname = NAME_PATTERN.exec(buf.slice(pos + 1, tagEnd + 1))?.[0];
    if (qname === undefined) {
      issues.note('xml.stray_lt', 'stray "<" between elements skipped');
      pos++;
      continue;
    }
    const name = localName(qname);
    if (buf.charCodeAt(tagEnd - 1) === 0x2f /* self-closing */) {
      yield { name, xml: buf.slice(pos, tagEnd + 1) };
      pos = tagEnd + 1;
      continue;
    }
    const closing = `</${qname}`;
    // Scan the element's content markup by markup: a closing tag written inside CDATA, a comment
    // or a processing instruction is text (XML 1.0 §2.7, §2.5, §2.6), never the element's end.
    // `skipUntil` is the terminator of the construct being skipped, searched from `searchFrom`.
    let searchFrom = tagEnd + 1;
    let skipUntil: string | null = null;
    let end = -1;
    // Characters after `<` needed to tell `<![CDATA[` or our end tag from anything else.
    const lookahead = Math.max(SKIPPED_OPENERS_MAX, closing.length);
    for (;;) {
      let undecided = false; // a `<` too close to the end of what was read to classify yet
      if (skipUntil !== null) {
        const at = buf.indexOf(skipUntil, searchFrom);
        if (at >= 0) {
          searchFrom = at + skipUntil.length;
          skipUntil = null;
          continue;
        }
        // Keep enough of a tail to see a terminator split across chunks.
        searchFrom = Math.max(searchFrom, buf.length - skipUntil.length + 1);
      } else {
        const at = buf.indexOf('<', searchFrom);
        if (at >= 0 && (buf.length - at >= lookahead || ended)) {
          const skipped = SKIPPED.find(([opener]) => buf.startsWith(opener, at));
          if (skipped !== undefined) {
            skipUntil = skipped[1];
            searchFrom = at + skipped[0].length;
            continue;
          }
          if (buf.startsWith(closing, at)) {
            const gt = buf.indexOf('>', at + closing.length);
            if (gt >= 0) {
              if (buf.slice(at + closing.length, gt).trim() === '') {
                end = gt + 1;
                break;
              }
              searchFrom = at + closing.length; // `</recordx>`: not ours
              continue;
            }
            searchFrom = at; // the end tag is split across chunks: look again with more
          } else {
            searchFrom = at + 1;
            continue;
          }
        } else {
          undecided = at >= 0;
          searchFrom = at >= 0 ? at : buf.length;
        }
      }
      guard(pos);
      const base = pos;
      if (!more()) {
        if (undecided) continue; // the input has ended: classify what is there
        issues.note('xml.truncated', `document ends inside <${qname}>; that element is dropped`);
        return;
      }
      // `more()` rebased the buffer to `pos`: shift the offsets we hold.
      searchFrom -= base;
      tagEnd -= base;
    }
    yield { name, xml: buf.slice(pos, end) };
    pos = end;
  }
}

/** Constructs whose content is text to the cutter, with their terminators. */
const SKIPPED: readonly (readonly [opener: string, terminator: string])[] = [
  ['<![CDATA[', ']]>'],
  ['<!--', '-->'],
  ['<?', '?>'],
];
const SKIPPED_OPENERS_MAX = Math.max(...SKIPPED.map(([opener]) => opener.length));

function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon < 0 ? qname : qname.slice(colon + 1);
}
