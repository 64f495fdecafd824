/**
 * Building an outgoing message (RFC 5322 + MIME) from its parts, with nodemailer's composer.
 * Deterministic when the caller passes `date` and `messageId` (tests and retries — a report
 * resent after a crash keeps its Message-ID).
 */
import MailComposer from 'nodemailer/lib/mail-composer/index.js';

export interface Attachment {
  readonly filename: string;
  readonly content: Uint8Array;
  /** e.g. `application/gzip` (RFC 9990 §3.3 / RFC 6713). */
  readonly contentType: string;
}

export interface MessageParts {
  /** `addr@example.com` or `Name <addr@example.com>`. */
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  /** With text, makes a multipart/alternative body. */
  readonly html?: string;
  readonly attachments?: readonly Attachment[];
  /** Extra header fields, e.g. `Auto-Submitted: auto-generated` (RFC 3834 §5). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly date: Date;
  /** Without angle brackets: `id@example.com`. */
  readonly messageId: string;
}

export function composeMessage(parts: MessageParts): Promise<Buffer> {
  const composer = new MailComposer({
    from: parts.from,
    to: [...parts.to],
    subject: parts.subject,
    text: parts.text,
    ...(parts.html !== undefined ? { html: parts.html } : {}),
    attachments: (parts.attachments ?? []).map((a) => ({
      filename: a.filename,
      content: Buffer.from(a.content),
      contentType: a.contentType,
    })),
    headers: { ...parts.headers },
    date: parts.date,
    messageId: `<${parts.messageId}>`,
  });
  return composer.compile().build();
}
