/** The public half of a DKIM key as DNS publishes it. */
import type { KeyObject } from 'node:crypto';

/** p= for a public key: SPKI DER for RSA, the bare 32 bytes for ed25519 (RFC 8463 §4.2). */
export function publicKeyForDns(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  // An ed25519 SPKI is a fixed 12-byte header followed by the key (RFC 8410 §4).
  return (key.asymmetricKeyType === 'ed25519' ? der.subarray(der.length - 32) : der).toString('base64');
}
