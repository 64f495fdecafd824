/**
 * A report carried in a text/plain body rather than attached (rspamd and others send its
 * attached, uncompressed text/xml cousin). The MIME layer has already
 * turned the body into text using the part's charset, so the document is re-encoded as UTF-8 and
 * an encoding declaration that says otherwise is dropped (XML 1.0 §4.3.3: without one, UTF-8).
 */

/** The root element, with or without a namespace prefix (quirk 13: `<ns1:feedback …>`). */
const ROOT_START = /<(?:[A-Za-z_][\w.-]*:)?feedback[\s>/]/;
const ROOT_END = /<\/(?:[A-Za-z_][\w.-]*:)?feedback\s*>/g;
const DECLARATION = /^<\?xml[^?]*\?>/;

/** The `<?xml …?>…</feedback>` span of `text` as UTF-8 bytes, or null when there is none. */
export function xmlInText(text: string): Uint8Array | null {
  const root = ROOT_START.exec(text);
  if (root === null) return null;
  const declaration = text.lastIndexOf('<?xml', root.index);
  const start = declaration >= 0 ? declaration : root.index;
  let end = text.length;
  ROOT_END.lastIndex = root.index;
  for (let match = ROOT_END.exec(text); match !== null; match = ROOT_END.exec(text)) end = match.index + match[0].length;
  let xml = text.slice(start, end);
  xml = xml.replace(DECLARATION, (decl) => decl.replace(/\s+encoding\s*=\s*("[^"]*"|'[^']*')/, ''));
  return new TextEncoder().encode(xml);
}
