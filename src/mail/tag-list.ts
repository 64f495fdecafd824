/**
 * A tag-list (RFC 6376 §3.2, also DMARC records, RFC 7489 §6.4): `name=value` specs separated by
 * `;`, whitespace around them ignored, empty specs skipped. Pure; what the tags mean, and which
 * duplicates or orders are errors, is each record parser's business.
 */
export interface TagSpec {
  /** The spec as written, trimmed. */
  readonly text: string;
  /** Lower-cased; null when the spec has no `=`. */
  readonly name: string | null;
  readonly value: string;
}

export function tagList(text: string): TagSpec[] {
  return text
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq < 0 ? { text: part, name: null, value: '' } : { text: part, name: part.slice(0, eq).trim().toLowerCase(), value: part.slice(eq + 1).trim() };
    });
}
