/**
 * `ruaflow keygen`: a new DKIM key pair written in the qpsmtpd layout (seed 001):
 * `<dir>/<domain>/selector`, `private` (PEM, mode 0600), `public` (PEM) and `dns` (the records
 * to publish). Refuses to replace an existing key unless forced, and never writes through a
 * symlinked domain folder (that folder is another domain's key).
 */
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DKIM_MIN_BITS, DKIM_RECOMMENDED_BITS } from '../analyze/check/dkim.js';
import { ruaFor } from '../analyze/check/dmarc.js';
import { keygenRecords, renderDnsFile, type KeygenRecord } from '../deliver/keygen-text.js';
import { DOMAIN_NAME } from '../mail/address-syntax.js';
import { publicKeyForDns } from '../mail/dkim-key.js';
import type { Config, DomainConfig } from '../types/config.js';
import type { KeyAlgorithm } from '../types/signing-keys.js';
import { IoError, UsageError } from '../errors.js';
import { describeFsError } from '../platform/fs-errors.js';
import type { Clock } from '../ports/clock.js';
import { readMailboxes } from './check.js';

/** RFC 8301 §3.2: below 1024 bits receivers reject the key, 2048 is what signers should use
 * (the limits `check` applies); above 8192 the key no longer fits a DNS TXT answer. */
const MIN_BITS = DKIM_MIN_BITS;
const MAX_BITS = 8192;
const DEFAULT_BITS = DKIM_RECOMMENDED_BITS;

/** What the user asked for, as typed (`--type`, `--bits`, `--selector`); undefined: the default. */
export interface KeySpecText {
  readonly type?: string | undefined;
  readonly bits?: string | undefined;
  readonly selector?: string | undefined;
}

export interface KeySpec {
  readonly algorithm: KeyAlgorithm;
  readonly bits: number;
  readonly selector: string;
}

/** The key to make, checked before anything is read or written: rsa by default, 2048 bits,
 * selector s<YYYYMM> of this month. */
export function keySpec(text: KeySpecText, clock: Clock): KeySpec {
  const algorithm = parseType(text.type);
  const bits = parseBits(text.bits, algorithm);
  const selector = (text.selector ?? defaultSelector(clock)).toLowerCase();
  if (!DOMAIN_NAME.test(selector)) throw new UsageError(`keygen: --selector ${JSON.stringify(text.selector)} is not a DNS label`);
  return { algorithm, bits, selector };
}

export interface KeygenDeps {
  readonly config: Config;
  /** Where a relative --dir (or the default ./dkim) is; the command line's working directory. */
  readonly cwd: string;
}

export interface KeygenRequest {
  /** Normalised (lower case, no final dot). */
  readonly domain: string;
  readonly spec: KeySpec;
  /** The keys folder; default the domain's dkim_keys_dir, else the first configured one, else ./dkim. */
  readonly dir?: string | undefined;
  readonly force: boolean;
}

export interface KeygenResult {
  readonly domain: string;
  readonly selector: string;
  readonly algorithm: KeyAlgorithm;
  readonly bits: number;
  readonly folder: string;
  readonly files: KeyFolder['files'];
  readonly records: readonly KeygenRecord[];
  /** The `dns` file's text: the records in zone-file form. */
  readonly dnsText: string;
  /** The key went to another folder than the domain's configured dkim_keys_dir (worth a note); else null. */
  readonly elsewhere: { readonly configured: string; readonly used: string } | null;
}

/** Makes the key pair, the records to publish with it (SPF from the domain's relays and
 * services, DMARC with our rua), and writes the folder. */
export function keygen(deps: KeygenDeps, request: KeygenRequest): KeygenResult {
  const { config } = deps;
  const { domain, spec } = request;
  const configured = config.domains.find((d) => d.name === domain);
  const dir = resolve(deps.cwd, request.dir ?? defaultDir(config, configured));
  const key = generateKey(spec.algorithm, spec.bits);
  const records = keygenRecords({
    domain,
    selector: spec.selector,
    algorithm: spec.algorithm,
    publicKeyDns: key.publicKeyDns,
    spf: configured ?? { relays: [], services: [] },
    rua: ruaFor(domain, { readMailboxes: readMailboxes(config) }),
  });
  const dnsText = renderDnsFile(records);
  const written = writeKeyFolder(dir, domain, spec.selector, key, dnsText, request.force);
  const configuredDir = configured?.dkimKeysDir;
  return {
    domain,
    selector: spec.selector,
    algorithm: spec.algorithm,
    bits: key.bits,
    folder: written.folder,
    files: written.files,
    records,
    dnsText,
    elsewhere: typeof configuredDir === 'string' && configuredDir !== dir ? { configured: configuredDir, used: dir } : null,
  };
}

function parseType(value: string | undefined): KeyAlgorithm {
  if (value === undefined || value === 'rsa') return 'rsa';
  if (value === 'ed25519') return 'ed25519';
  throw new UsageError(`keygen: --type ${JSON.stringify(value)}: expected rsa or ed25519`);
}

function parseBits(value: string | undefined, algorithm: KeyAlgorithm): number {
  if (value === undefined) return DEFAULT_BITS;
  if (algorithm === 'ed25519') throw new UsageError('keygen: --bits applies to rsa keys; ed25519 keys are always 256 bits');
  const bits = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(bits >= MIN_BITS && bits <= MAX_BITS)) {
    throw new UsageError(`keygen: --bits ${value}: expected ${MIN_BITS}-${MAX_BITS} (RFC 8301: keys under ${MIN_BITS} bits are rejected; ${DEFAULT_BITS} is recommended)`);
  }
  return bits;
}

/** `s<YYYYMM>`: a new selector per rotation month, so old and new keys can be published side by side. */
function defaultSelector(clock: Clock): string {
  return `s${new Date(clock.now() * 1000).toISOString().slice(0, 7).replace('-', '')}`;
}

/** The domain's own dkim_keys_dir, else the first configured one, else ./dkim. */
function defaultDir(config: Config, configured: DomainConfig | undefined): string {
  return configured?.dkimKeysDir ?? config.domains.find((d) => d.dkimKeysDir !== null)?.dkimKeysDir ?? 'dkim';
}

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
