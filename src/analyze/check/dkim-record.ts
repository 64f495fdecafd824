/**
 * A published DKIM key record (RFC 6376 §3.6.1; RFC 8463 for k=ed25519), parsed and compared
 * with our own key. Pure.
 */
import { tagList } from '../../mail/tag-list.js';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { publicKeyForDns } from '../../mail/dkim-key.js';
import type { KeyAlgorithm } from '../../types/signing-keys.js';

export interface DkimKeyRecord {
  readonly tags: ReadonlyMap<string, string>;
  /** k=, default rsa. */
  readonly keyType: string;
  /** p= with white space removed; '' means revoked (RFC 6376 §3.6.1). */
  readonly publicKey: string;
  /** h=: acceptable hash algorithms; null means any. */
  readonly hashes: readonly string[] | null;
  /** t=y: the domain is testing DKIM (RFC 6376 §3.6.1). */
  readonly testing: boolean;
  readonly errors: readonly string[];
}

/** Whether a TXT record at a `_domainkey` name is a key record (has p=, or starts with v=DKIM1). */
export const looksLikeDkimKey = (txt: string): boolean => /(^|;)\s*p\s*=/i.test(txt) || /^\s*v\s*=\s*DKIM1/i.test(txt);

export function parseDkimKeyRecord(text: string): DkimKeyRecord {
  const tags = new Map<string, string>();
  const errors: string[] = [];
  tagList(text).forEach(({ text: part, name, value }, i) => {
    if (name === null) return void errors.push(`"${part}" is not a tag=value pair`);
    // RFC 6376 §3.6.1: v=, when present, must be the first tag.
    if (name === 'v' && i !== 0) errors.push('v=DKIM1 must be the first tag');
    if (!tags.has(name)) tags.set(name, value);
  });
  const v = tags.get('v');
  if (v !== undefined && v !== 'DKIM1') errors.push(`v=${v} is not v=DKIM1`);
  if (!tags.has('p')) errors.push('no p= tag');
  const h = tags.get('h');
  return {
    tags,
    keyType: (tags.get('k') ?? 'rsa').toLowerCase(),
    publicKey: (tags.get('p') ?? '').replace(/\s+/g, ''),
    hashes: h === undefined ? null : h.split(':').map((x) => x.trim().toLowerCase()),
    testing: (tags.get('t') ?? '').split(':').some((f) => f.trim().toLowerCase() === 'y'),
    errors,
  };
}

export interface PublishedKey {
  readonly algorithm: KeyAlgorithm;
  /** p= in our canonical form (SPKI for RSA, raw 32 bytes for ed25519), base64. */
  readonly canonical: string;
  readonly bits: number;
}

/** Decodes p=; RSA as SubjectPublicKeyInfo (RFC 6376 §3.6.1) or, as some publish it, bare
 * PKCS#1 RSAPublicKey. Null when it is not a key. */
export function decodePublishedKey(record: DkimKeyRecord): PublishedKey | null {
  const der = Buffer.from(record.publicKey, 'base64');
  if (der.length === 0) return null;
  if (record.keyType === 'ed25519') {
    return der.length === 32 ? { algorithm: 'ed25519', canonical: der.toString('base64'), bits: 256 } : null;
  }
  if (record.keyType !== 'rsa') return null;
  let key: KeyObject | null = null;
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      key = createPublicKey({ key: der, format: 'der', type });
      break;
    } catch {
      key = null;
    }
  }
  if (key === null || key.asymmetricKeyType !== 'rsa') return null;
  return { algorithm: 'rsa', canonical: publicKeyForDns(key), bits: key.asymmetricKeyDetails?.modulusLength ?? 0 };
}
