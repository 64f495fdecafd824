/**
 * The real mail transport: nodemailer's SMTP client against `[smtp]` (implicit TLS on 465,
 * STARTTLS when offered elsewhere, AUTH when a user is set). Messages arrive finished and signed
 * (src/mail/), so nodemailer only carries bytes: `raw` plus an explicit envelope.
 */
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type { SmtpConfig } from '../types/config.js';
import { SmtpError } from '../errors.js';
import type { Envelope, MailTransport, SendOutcome } from '../ports/mail.js';
import { SMTP_TIMEOUT_MS } from '../limits.js';

export interface SmtpTransportOptions {
  /** Extra CA certificates (PEM file) to trust, e.g. a test server's self-signed one. */
  readonly caFile?: string;
  /** Verify the server certificate (default true). */
  readonly rejectUnauthorized?: boolean;
  /** Our name in EHLO; defaults to the machine's host name. */
  readonly name?: string;
  /** Per-connection timeouts (ms). */
  readonly timeoutMs?: number;
}


export function createSmtpTransport(config: SmtpConfig, options: SmtpTransportOptions = {}): MailTransport {
  const timeout = options.timeoutMs ?? SMTP_TIMEOUT_MS;
  const transporter = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    ...(config.user !== null ? { auth: { user: config.user, pass: config.password ?? '' } } : {}),
    ...(options.name !== undefined ? { name: options.name } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    tls: {
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      ...(options.caFile !== undefined ? { ca: readFileSync(options.caFile, 'utf8') } : {}),
    },
  });
  const where = `smtp ${config.host}:${config.port}`;

  return {
    async send(envelope: Envelope, raw: Uint8Array): Promise<SendOutcome> {
      try {
        const info = await transporter.sendMail({ envelope: { from: envelope.from, to: [...envelope.to] }, raw: Buffer.from(raw) });
        const rejected = (info.rejected ?? []).map(String);
        if (rejected.length > 0) {
          // Some recipients refused at RCPT with 5xx, the others accepted the message.
          const errors = (info as { rejectedErrors?: { responseCode?: number; response?: string }[] }).rejectedErrors ?? [];
          const code = errors[0]?.responseCode ?? 550;
          if (code < 500) return { kind: 'deferred', code, message: errors[0]?.response ?? `${where}: recipient deferred` };
          return { kind: 'rejected', code, message: errors[0]?.response ?? `${where}: recipient rejected`, recipients: rejected };
        }
        return { kind: 'sent', response: String(info.response ?? '') };
      } catch (error) {
        return classify(error, envelope, where);
      }
    },
    async close() {
      transporter.close();
    },
  };
}

function classify(error: unknown, envelope: Envelope, where: string): SendOutcome {
  const e = error as { code?: string; responseCode?: number; response?: string; message?: string; rejected?: string[] };
  const message = `${where}: ${e.response ?? e.message ?? String(error)}`;
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH') {
    throw new SmtpError('auth', `${where}: authentication failed: ${e.response ?? e.message ?? ''}`.trim(), { cause: error });
  }
  if (e.code === 'ETLS' || /certificate|self[- ]signed/i.test(e.message ?? '')) {
    throw new SmtpError('tls', `${where}: TLS failed: ${e.message ?? ''}`, { cause: error });
  }
  const code = typeof e.responseCode === 'number' ? e.responseCode : null;
  if (code !== null && code >= 500) {
    return { kind: 'rejected', code, message, recipients: e.rejected?.length ? e.rejected : [...envelope.to] };
  }
  if (code !== null && code >= 400) return { kind: 'deferred', code, message };
  // Anything else — the relay unreachable (ECONNECTION, ETIMEDOUT, ESOCKET, EDNS …) or talking
  // nonsense — is worth another try later.
  return { kind: 'deferred', code: null, message };
}
