/**
 * The tree a report section is read into: what fast-xml-parser returns with our options
 * (xml-node.ts) and what the plain-element fast path (plain-element.ts) returns for the same
 * text. Its own module so that the two producers and the readers share it without importing
 * each other.
 */

/** An element's children by name; text-only elements are strings, repeated names are arrays. */
export type XmlNode = { readonly [key: string]: XmlValue };
export type XmlValue = string | XmlNode | XmlValue[];
