/**
 * The `ruaflow serve` protocol (pure): one JSON object per line each way (docs/verifying-mail.md "The verify
 * service"). A request carries the envelope and the message in base64:
 *
 *   {"id": 7, "ip": "192.0.2.1", "helo": "mx.example.com", "mail_from": "a@example.com",
 *    "rcpt": ["b@example.net"], "message": "<base64 of the raw message>"}
 *
 * and gets the `verify --json` object back (with the same "id" when one was given), or
 * {"id": 7, "error": "…"} when it cannot be served. A bad request never closes the connection.
 */
import { checkEnvelope } from './envelope.js';
import type { Envelope } from './types.js';

export interface ServeRequest {
  readonly id: string | number | null;
  readonly envelope: Envelope;
  readonly message: Buffer;
}

export type ParsedRequest = { readonly ok: true; readonly request: ServeRequest } | { readonly ok: false; readonly id: string | number | null; readonly error: string };

const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

export function parseRequest(line: string, maxMessageBytes: number): ParsedRequest {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch (error) {
    return { ok: false, id: null, error: `request is not JSON: ${(error as Error).message}` };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, id: null, error: 'request must be a JSON object' };
  const o = doc as Record<string, unknown>;
  const id = typeof o['id'] === 'string' || typeof o['id'] === 'number' ? o['id'] : null;
  const checked = checkEnvelope({ ip: o['ip'], helo: o['helo'], mailFrom: o['mail_from'], rcpt: o['rcpt'] });
  if (!checked.ok) return { ok: false, id, error: checked.error };
  const text = o['message'];
  if (typeof text !== 'string' || text === '') return { ok: false, id, error: 'message: expected the raw message in base64' };
  if (!BASE64.test(text)) return { ok: false, id, error: 'message: not base64' };
  if (Math.floor((text.length * 3) / 4) > maxMessageBytes + 3) {
    return { ok: false, id, error: `message exceeds the limit of ${maxMessageBytes} bytes (raise [limits] max_message_bytes to accept it)` };
  }
  const message = Buffer.from(text, 'base64');
  if (message.length === 0) return { ok: false, id, error: 'message: empty' };
  if (message.length > maxMessageBytes) {
    return { ok: false, id, error: `message exceeds the limit of ${maxMessageBytes} bytes (raise [limits] max_message_bytes to accept it)` };
  }
  return { ok: true, request: { id, envelope: checked.envelope, message } };
}

/** The longest request line we buffer: the base64 of the largest message plus the envelope. */
export const maxLineBytes = (maxMessageBytes: number): number => Math.ceil(maxMessageBytes / 3) * 4 + 64 * 1024;
