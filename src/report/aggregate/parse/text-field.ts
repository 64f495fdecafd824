/**
 * Text of a report's fields as it may be stored: without control characters.
 *
 * XML 1.0 §2.2 (Char) allows no C0 control other than TAB, LF and CR in a document, not even as a
 * character reference (`&#1;`), and discourages DEL and the C1 controls (U+007F–U+009F). Reports
 * carry them anyway (a NUL inside org_name was seen in hostile-input testing), and stored they do
 * harm: SQLite's length() and C tools stop at a NUL, a terminal obeys an escape sequence. They are
 * removed, and the report says so (issue `text.control_chars`); TAB, LF and CR are text and stay.
 */
import type { IssueLog } from '../issues.js';
import { text } from './xml-node.js';
import type { XmlNode } from './xml-tree.js';

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const CONTROLS = new RegExp(CONTROL.source, 'g');

/** `value` without control characters; notes the field when there were some. */
export function withoutControls(field: string, value: string, issues: IssueLog): string {
  if (!CONTROL.test(value)) return value;
  issues.note('text.control_chars', `control characters (such as NUL) removed from <${field}>`);
  return value.replace(CONTROLS, '');
}

/** Reads the text of child elements (xml-node.ts `text`) with control characters removed. */
export function textReader(issues: IssueLog, repaired: boolean): (node: XmlNode | undefined, key: string) => string | null {
  return (node, key) => {
    const value = text(node, key, repaired);
    return value === null ? null : withoutControls(key, value, issues);
  };
}
