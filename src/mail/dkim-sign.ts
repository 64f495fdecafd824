/**
 * DKIM-signing our own outgoing mail (summaries, aggregate reports) with the key we hold for
 * the From domain (src/app/signing-keys.ts), via mailauth: rsa-sha256 or ed25519-sha256
 * (RFC 6376, RFC 8463; never rsa-sha1, RFC 8301), relaxed/relaxed.
 */
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import type { SigningKey } from '../types/signing-keys.js';

/** Header fields we sign; From is required (RFC 6376 §5.4). Listed once each, so that a field
 * added later in transit breaks nothing we vouched for. */
const SIGNED_FIELDS = ['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type', 'auto-submitted'];

export interface SignedMessage {
  readonly raw: Buffer;
  /** Set when no signature could be made; the message is then sent unsigned. */
  readonly error: string | null;
}

export async function signMessage(raw: Buffer, key: SigningKey, signTime: Date): Promise<SignedMessage> {
  const signature = { signingDomain: key.signingDomain, selector: key.selector, privateKey: key.privateKeyPem };
  // mailauth signs what `signatureData` lists; the top-level d=/s=/key only type-check.
  const result = await dkimSign(raw, {
    ...signature,
    signatureData: [signature],
    canonicalization: 'relaxed/relaxed',
    headerList: SIGNED_FIELDS,
    signTime,
    strict: true,
  });
  const failure = result.errors?.[0];
  if (result.signatures === '' || failure !== undefined) {
    return { raw, error: failure?.err?.message ?? 'no signature was created' };
  }
  return { raw: Buffer.concat([Buffer.from(result.signatures), raw]), error: null };
}
