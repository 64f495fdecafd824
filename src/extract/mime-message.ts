/**
 * One level of a MIME message as mime-walk.ts reads it: the header facts we decide on, the leaf
 * parts, the inline text. Its own file so that the readers (message.ts, classify.ts,
 * candidate.ts) and the reader of the bytes (mime-walk.ts) share it without importing each other.
 */

export interface MessageMeta {
  /** Message-ID without its angle brackets. */
  messageId: string | null;
  /** Decoded (RFC 2047) and unfolded. */
  subject: string | null;
  /** The From address (addr-spec only). */
  from: string | null;
  /** The Date header, epoch seconds; null when absent or unparseable. */
  date: number | null;
}

export interface MimePart {
  /** Content-Disposition filename or Content-Type name, decoded; null when neither is given. */
  readonly filename: string | null;
  /** Lower-case media type as declared; `text/plain` when the part has no Content-Type (RFC 2045
   * §5.2), which is also what a misspelt `ContentType:` header gives (seen in Trustwave reports). */
  readonly mimeType: string;
  readonly disposition: string | null;
  /** Content with the transfer encoding undone. */
  readonly bytes: Uint8Array;
}

export interface MimeMessage {
  readonly meta: MessageMeta;
  /** The top-level media type, lower case (`multipart/mixed`, `application/zip`, …). */
  readonly contentType: string;
  /** multipart/report's report-type parameter (RFC 6522 §3), lower case, or null. */
  readonly reportType: string | null;
  /** Every leaf that is not inline text, in order; for a single-part message, the body. */
  readonly parts: readonly MimePart[];
  /** Inline text/plain parts joined, charset-decoded; null when there are none. */
  readonly text: string | null;
}
