/**
 * Our DKIM signing configuration, read once from `[[domains]]`: the qpsmtpd key layout
 * (seed 001) under `dkim_keys_dir` and explicit `keys = [{ selector, private_key_file }]`.
 *
 * Layout: `<dir>/<domain>/selector` (the selector's name), `private` (PEM), `public` (PEM).
 * - A domain folder that is a symlink signs with its target's key, and d= is the target's
 *   name (`client.com -> example.org` signs client.com mail as d=example.org).
 * - A subdomain without a folder signs with its nearest parent's key, d= the parent
 *   (relaxed alignment makes that pass, RFC 7489 §3.1.1).
 *
 * A key that cannot be read or parsed is a ConfigError naming the key and the file; a domain
 * with no key at all is not an error here (`ruaflow check` reports it).
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { describeFsError } from '../platform/fs-errors.js';
import { DOMAIN_NAME } from '../mail/address-syntax.js';
import type { Config, DomainConfig } from '../types/config.js';
import type { KeyAlgorithm, SigningIdentity, SigningKey, SigningKeys } from '../types/signing-keys.js';

import { publicKeyForDns } from '../mail/dkim-key.js';

export type { KeyAlgorithm, SigningIdentity, SigningKey, SigningKeys } from '../types/signing-keys.js';

export function loadSigningKeys(config: Pick<Config, 'domains' | 'file'>): SigningKeys {
  const label = config.file ?? 'configuration';
  return keySet(config.domains.flatMap((d) => keysOfDomain(d, label, true)));
}

/** The same lookup as loadSigningKeys, stopping before the key files themselves. */
export function loadSigningIdentities(config: Pick<Config, 'domains' | 'file'>): SigningKeys<SigningIdentity> {
  const label = config.file ?? 'configuration';
  return keySet(config.domains.flatMap((d) => keysOfDomain(d, label, false)));
}

function keySet<K extends SigningIdentity>(all: readonly K[]): SigningKeys<K> {
  return {
    all,
    forDomain(domain) {
      const name = domain.toLowerCase().replace(/\.$/, '');
      for (let d = name; d.includes('.'); d = d.slice(d.indexOf('.') + 1)) {
        const found = all.filter((k) => k.domain === d);
        if (found.length > 0) return found;
      }
      return [];
    },
  };
}

function keysOfDomain(domain: DomainConfig, label: string, withKeys: true): SigningKey[];
function keysOfDomain(domain: DomainConfig, label: string, withKeys: false): SigningIdentity[];
function keysOfDomain(domain: DomainConfig, label: string, withKeys: boolean): SigningIdentity[] {
  const keys: SigningIdentity[] = [];
  if (domain.dkimKeysDir !== null) {
    const found = fromKeyDir(domain, domain.dkimKeysDir, label, withKeys);
    if (found !== null) keys.push(found);
  }
  domain.keys.forEach((k, i) => {
    const signingDomain = k.domain ?? domain.name;
    if (!withKeys) {
      keys.push({ domain: domain.name, signingDomain, selector: k.selector, via: 'own' });
      return;
    }
    const where = `${label}: [[domains]] ${domain.name} keys #${i + 1}`;
    const pem = readKeyFile(k.privateKeyFile, `${where} private_key_file`);
    keys.push(makeKey(domain.name, signingDomain, k.selector, pem, k.privateKeyFile, k.publicKeyFile, `${where}`, 'own'));
  });
  return keys;
}

/** The qpsmtpd lookup (seed 001 get_keydir): own folder, else the nearest parent's; a symlinked
 * folder names the signing domain by its target. */
function fromKeyDir(domain: DomainConfig, dir: string, label: string, withKeys: boolean): SigningIdentity | null {
  const where = `${label}: [[domains]] ${domain.name} dkim_keys_dir`;
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (error) {
    throw new ConfigError(`${where}: cannot read ${dir}: ${describeFsError(error)}`, { cause: error });
  }
  if (!isDir) throw new ConfigError(`${where}: ${dir} is not a folder`);

  let name = domain.name;
  let via: SigningKey['via'] = 'own';
  while (!existsSync(join(dir, name))) {
    const dot = name.indexOf('.');
    if (dot < 0 || !name.slice(dot + 1).includes('.')) return null;
    name = name.slice(dot + 1);
    via = 'parent';
  }
  let folder = join(dir, name);
  if (lstatSync(folder).isSymbolicLink()) {
    folder = resolve(dirname(folder), readlinkSync(folder));
    name = basename(folder).toLowerCase();
    via = 'symlink';
  }
  const selectorFile = join(folder, 'selector');
  const selector = readKeyFile(selectorFile, `${where} ${name}/selector`).trim().split(/\s+/)[0] ?? '';
  if (!DOMAIN_NAME.test(selector)) {
    throw new ConfigError(`${where}: ${selectorFile}: expected a DKIM selector (a DNS label), got ${JSON.stringify(selector)}`);
  }
  if (!withKeys) return { domain: domain.name, signingDomain: name, selector: selector.toLowerCase(), via };
  const privateFile = join(folder, 'private');
  const pem = readKeyFile(privateFile, `${where} ${name}/private`);
  const publicFile = join(folder, 'public');
  return makeKey(domain.name, name, selector.toLowerCase(), pem, privateFile, existsSync(publicFile) ? publicFile : null, where, via);
}

function makeKey(
  domain: string,
  signingDomain: string,
  selector: string,
  pem: string,
  privateKeyFile: string,
  publicKeyFile: string | null,
  where: string,
  via: SigningKey['via'],
): SigningKey {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new ConfigError(`${where}: ${privateKeyFile}: not a PEM private key (${(error as Error).message})`, { cause: error });
  }
  const type = key.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'ed25519') {
    throw new ConfigError(`${where}: ${privateKeyFile}: a ${type ?? 'unknown'} key; DKIM signs with rsa or ed25519 (RFC 6376, RFC 8463)`);
  }
  const publicKeyDns = publicKeyForDns(createPublicKey(key));
  let publicFileMismatch = false;
  if (publicKeyFile !== null) {
    const publicPem = readKeyFile(publicKeyFile, `${where} public key`);
    try {
      publicFileMismatch = publicKeyForDns(createPublicKey(publicPem)) !== publicKeyDns;
    } catch (error) {
      throw new ConfigError(`${where}: ${publicKeyFile}: not a PEM public key (${(error as Error).message})`, { cause: error });
    }
  }
  return {
    domain,
    signingDomain,
    selector,
    algorithm: type,
    bits: type === 'rsa' ? (key.asymmetricKeyDetails?.modulusLength ?? 0) : 256,
    privateKeyPem: pem,
    publicKeyDns,
    privateKeyFile,
    publicFileMismatch,
    via,
  };
}


function readKeyFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${what}: cannot read ${path}: ${describeFsError(error)}`, { cause: error });
  }
}
