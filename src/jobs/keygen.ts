/**
 * `ruaflow keygen`: a new DKIM key pair written in the qpsmtpd layout (seed 001):
 * `<dir>/<domain>/selector`, `private` (PEM, mode 0600), `public` (PEM) and `dns` (the records
 * to publish). Refuses to replace an existing key unless forced, and never writes through a
 * symlinked domain folder (that folder is another domain's key).
 */
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { publicKeyForDns } from '../mail/dkim-key.js';
import type { KeyAlgorithm } from '../types/signing-keys.js';
import { IoError, UsageError } from '../errors.js';
import { describeFsError } from '../platform/fs-errors.js';

export interface NewKey {
  readonly algorithm: KeyAlgorithm;
  readonly bits: number;
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
  /** p= (RFC 6376 §3.6.1; RFC 8463 §4.2 for ed25519). */
  readonly publicKeyDns: string;
}

export function generateKey(algorithm: KeyAlgorithm, bits: number): NewKey {
  const pair = algorithm === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: bits }) : generateKeyPairSync('ed25519');
  return {
    algorithm,
    bits: algorithm === 'rsa' ? bits : 256,
    privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    publicKeyDns: publicKeyForDns(pair.publicKey),
  };
}

export interface KeyFolder {
  readonly folder: string;
  readonly files: { readonly selector: string; readonly private: string; readonly public: string; readonly dns: string };
}

/** Writes the folder; the private key goes through a 0600 temporary file and a rename, so no
 * reader ever sees a half-written or world-readable key. */
export function writeKeyFolder(dir: string, domain: string, selector: string, key: NewKey, dnsText: string, force: boolean): KeyFolder {
  const folder = join(dir, domain);
  const files = { selector: join(folder, 'selector'), private: join(folder, 'private'), public: join(folder, 'public'), dns: join(folder, 'dns') };
  try {
    if (lstatSync(folder, { throwIfNoEntry: false })?.isSymbolicLink() === true) {
      throw new UsageError(`keygen: ${folder} is a symlink to ${readlinkSync(folder)}: ${domain} signs with that domain's key; remove the symlink to give ${domain} its own key`);
    }
    if (existsSync(files.private) && !force) {
      const old = existsSync(files.selector) ? readFileSync(files.selector, 'utf8').trim() : '?';
      throw new UsageError(`keygen: ${files.private} already exists (selector ${old}); pass --force to replace it, and publish the new record before signing with it`);
    }
    mkdirSync(folder, { recursive: true, mode: 0o755 });
    const temporary = `${files.private}.tmp-${process.pid}`;
    writeFileSync(temporary, key.privateKeyPem, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, files.private);
    writeFileSync(files.public, key.publicKeyPem);
    writeFileSync(files.selector, `${selector}\n`);
    writeFileSync(files.dns, dnsText);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new IoError(`keygen: cannot write ${folder}: ${describeFsError(error)}`, { cause: error });
  }
  return { folder, files };
}
