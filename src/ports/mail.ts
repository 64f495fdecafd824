/**
 * The mail-transport port: hand one finished message (raw RFC 5322 bytes, already DKIM-signed)
 * to the SMTP relay for an envelope. The real adapter is src/platform/smtp-transport.ts
 * (nodemailer); tests use a real SMTP server (test/helpers/smtp-server.ts).
 *
 * What the server said is an outcome, not an error: the caller decides whether to
 * retry (deferred) or to give up on that destination (rejected). Faults of our own setup — wrong
 * credentials, an untrusted certificate — throw SmtpError: retrying or suppressing a
 * destination would not help.
 */

export interface Envelope {
  /** MAIL FROM (RFC 5321 §4.1.1.2); '' for the null reverse-path. */
  readonly from: string;
  /** RCPT TO, one or more. */
  readonly to: readonly string[];
}

export type SendOutcome =
  /** Accepted for delivery (250 after DATA) by every recipient. */
  | { readonly kind: 'sent'; readonly response: string }
  /** Try again later: a 4xx reply (RFC 5321 §4.2.1), or the relay could not be reached. */
  | { readonly kind: 'deferred'; readonly code: number | null; readonly message: string }
  /** A 5xx reply for the message or a recipient: sending it again will not help. */
  | { readonly kind: 'rejected'; readonly code: number; readonly message: string; readonly recipients: readonly string[] };

export interface MailTransport {
  send(envelope: Envelope, raw: Uint8Array): Promise<SendOutcome>;
  close(): Promise<void>;
}
