/**
 * Our DKIM signing keys as the parts that sign, check and classify see them. Only types, on the
 * lowest layer; src/app/signing-keys.ts reads them from the key folders and files once.
 */
export type KeyAlgorithm = 'rsa' | 'ed25519';

export interface SigningKey {
  /** The configured domain whose mail this key signs. */
  readonly domain: string;
  /** d= of the signature: the domain, its key folder's symlink target, or its parent. */
  readonly signingDomain: string;
  readonly selector: string;
  readonly algorithm: KeyAlgorithm;
  /** RSA modulus length; 256 for ed25519. */
  readonly bits: number;
  readonly privateKeyPem: string;
  /** The value of p= to publish (RFC 6376 §3.6.1: base64 SubjectPublicKeyInfo for RSA; RFC 8463
   * §4.2: the raw 32-byte key for ed25519). */
  readonly publicKeyDns: string;
  /** Where the private key was read from. */
  readonly privateKeyFile: string;
  /** The `public` file beside it disagrees with the private key (a half-finished rotation). */
  readonly publicFileMismatch: boolean;
  /** How the key was found: its own folder or explicit key, a symlinked folder, the parent's. */
  readonly via: 'own' | 'symlink' | 'parent';
}

/** Which selector signs a domain's mail under which d=: what classifying sources needs, found
 * without reading private keys (a poller may not be allowed to read them). */
export type SigningIdentity = Pick<SigningKey, 'domain' | 'signingDomain' | 'selector' | 'via'>;

export interface SigningKeys<K extends SigningIdentity = SigningKey> {
  /** Every key, per configured domain, in configuration order. */
  readonly all: readonly K[];
  /** The keys that sign mail from `domain`: its own, or a configured parent domain's. */
  forDomain(domain: string): readonly K[];
}
