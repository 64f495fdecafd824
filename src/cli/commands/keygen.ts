/** `ruaflow keygen DOMAIN [--selector S] [--bits 2048] [--type rsa|ed25519] [--dir DIR] [--force]`. */
import { relative, resolve } from 'node:path';
import { loadAppConfig } from '../../app/deps.js';
import type { Config } from '../../app/config.js';
import type { KeyAlgorithm } from '../../app/signing-keys.js';
import { ruaFor } from '../../analyze/check/dmarc.js';
import { keygenRecords, renderDnsFile } from '../../deliver/keygen-text.js';
import { UsageError } from '../../errors.js';
import { readMailboxes } from '../../jobs/check.js';
import { generateKey, writeKeyFolder } from '../../jobs/keygen.js';
import { systemClock, type Clock } from '../../ports/clock.js';
import { EXIT } from '../exit.js';
import { domainArgument, type CommonOptions } from '../options.js';

export interface KeygenOptions extends CommonOptions {
  readonly selector?: string;
  readonly bits?: string;
  readonly type?: string;
  readonly dir?: string;
  readonly force?: boolean;
}
import { DOMAIN_NAME } from '../../mail/address-syntax.js';
import { DKIM_MIN_BITS, DKIM_RECOMMENDED_BITS } from '../../analyze/check/dkim.js';

/** RFC 8301 §3.2: below 1024 bits receivers reject the key, 2048 is what signers should use
 * (the limits `check` applies); above 8192 the key no longer fits a DNS TXT answer. */
const MIN_BITS = DKIM_MIN_BITS;
const MAX_BITS = 8192;
const DEFAULT_BITS = DKIM_RECOMMENDED_BITS;

export async function run(values: KeygenOptions, positionals: readonly string[]): Promise<number> {
  const domain = domainArgument('keygen', '', positionals[0] ?? '');
  const algorithm = parseType(values.type);
  const bits = parseBits(values.bits, algorithm);
  const selector = (values.selector ?? defaultSelector(systemClock)).toLowerCase();
  if (!DOMAIN_NAME.test(selector)) throw new UsageError(`keygen: --selector ${JSON.stringify(values.selector)} is not a DNS label`);

  const config = await loadAppConfig(values);
  const configured = config.domains.find((d) => d.name === domain);
  const dir = resolve(values.dir ?? defaultDir(config, domain));
  const key = generateKey(algorithm, bits);
  const records = keygenRecords({
    domain,
    selector,
    algorithm,
    publicKeyDns: key.publicKeyDns,
    spf: configured ?? { relays: [], services: [] },
    rua: ruaFor(domain, { readMailboxes: readMailboxes(config) }),
  });
  const dnsText = renderDnsFile(records);
  const written = writeKeyFolder(dir, domain, selector, key, dnsText, values.force === true);

  if (values.json === true) {
    const json = {
      domain,
      selector,
      type: algorithm,
      bits: key.bits,
      folder: written.folder,
      files: written.files,
      records: records.map((r) => ({ kind: r.kind, name: r.name, value: r.value, zone: r.zone })),
    };
    process.stdout.write(`${JSON.stringify(json)}\n`);
  } else {
    const shown = relative(process.cwd(), written.folder) || '.';
    process.stdout.write(
      `Wrote ${shown}/{selector,private,public,dns}: ${algorithm}${algorithm === 'rsa' ? ` ${key.bits} bits` : ''}, selector ${selector}; private is mode 0600.\n` +
        `${typeof configured?.dkimKeysDir === 'string' && configured.dkimKeysDir !== dir ? `Note: [[domains]] ${domain} dkim_keys_dir is ${configured.dkimKeysDir}, not ${dir}.\n` : ''}` +
        `\nPublish these records (also in ${shown}/dns), then run ruaflow check --domain ${domain}:\n\n${dnsText}`,
    );
  }
  return EXIT.ok;
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
function defaultDir(config: Config, domain: string): string {
  return config.domains.find((d) => d.name === domain)?.dkimKeysDir ?? config.domains.find((d) => d.dkimKeysDir !== null)?.dkimKeysDir ?? 'dkim';
}
