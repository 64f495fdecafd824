/**
 * Signed test messages and the DNS zones that verify them: keys made here (RSA 512/1024/2048,
 * ed25519), signatures made by mailauth's dkimSign (the real signer), records in the shapes real
 * domains publish (RFC 6376 §3.6.1 key records, RFC 8463 raw ed25519 keys).
 */
import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';
import type { Zone } from '../helpers/dns-server.js';

export interface TestKey {
  readonly privateKeyPem: string;
  /** The p= value. */
  readonly p: string;
  readonly type: 'rsa' | 'ed25519';
}

const cache = new Map<string, TestKey>();

export function rsaKey(bits: 512 | 1024 | 2048): TestKey {
  const hit = cache.get(`rsa${bits}`);
  if (hit !== undefined) return hit;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const key: TestKey = {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    p: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    type: 'rsa',
  };
  cache.set(`rsa${bits}`, key);
  return key;
}

export function ed25519Key(): TestKey {
  const hit = cache.get('ed25519');
  if (hit !== undefined) return hit;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  // RFC 8463 §4: the bare 32-byte key, the last 32 bytes of its SubjectPublicKeyInfo.
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const key: TestKey = { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), p: der.subarray(der.length - 32).toString('base64'), type: 'ed25519' };
  cache.set('ed25519', key);
  return key;
}

export const keyRecord = (key: TestKey): string => `v=DKIM1; k=${key.type}; p=${key.p}`;

export interface MessageOptions {
  readonly from?: string | readonly string[] | null;
  readonly to?: string;
  readonly subject?: string;
  readonly headers?: readonly string[];
  readonly body?: string;
}

/** An RFC 5322 message with CRLF line ends. `from: null` leaves From out; an array writes one
 * From field per entry (several From fields). */
export function message(options: MessageOptions = {}): string {
  const from = options.from === undefined ? 'Alice <alice@example.com>' : options.from;
  const lines: string[] = [];
  if (from !== null) for (const f of typeof from === 'string' ? [from] : from) lines.push(`From: ${f}`);
  lines.push(`To: ${options.to ?? 'bob@receiver.example'}`);
  lines.push(`Subject: ${options.subject ?? 'Quarterly figures'}`);
  lines.push('Date: Mon, 30 Nov 2026 08:00:00 +0000');
  lines.push(`Message-ID: <${Math.random().toString(36).slice(2)}@example.com>`);
  lines.push(...(options.headers ?? []));
  lines.push('MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '');
  lines.push(options.body ?? 'The figures are attached.\r\nRegards, Alice');
  return `${lines.join('\r\n')}\r\n`;
}

export interface SignWith {
  readonly domain: string;
  readonly selector: string;
  readonly key: TestKey;
  readonly algorithm?: 'rsa-sha256' | 'rsa-sha1' | 'ed25519-sha256';
  /** i= (the AUID). */
  readonly identity?: string;
}

/** The message with DKIM-Signature fields prepended, one per signer (in order). */
export async function sign(text: string, signers: readonly SignWith[]): Promise<Buffer> {
  let out = text;
  for (const s of signers) {
    const data = {
      signingDomain: s.domain,
      selector: s.selector,
      privateKey: s.key.privateKeyPem,
      ...(s.algorithm !== undefined ? { algorithm: s.algorithm } : {}),
      ...(s.identity !== undefined ? { identity: s.identity } : {}),
    };
    // The top-level key options are the defaults for each entry of signatureData, which is what signs.
    const result = await dkimSign(out, { ...data, signatureData: [data] });
    if (result.errors.length > 0) throw new Error(`dkimSign: ${JSON.stringify(result.errors)}`);
    out = result.signatures + out;
  }
  return Buffer.from(out);
}

/** A zone entry for `<selector>._domainkey.<domain>`. */
export const dkimZone = (domain: string, selector: string, key: TestKey): Zone => ({ [`${selector}._domainkey.${domain}`]: { TXT: [keyRecord(key)] } });

/** `count` DKIM-Signature fields prepended to a message, each for its own domain (`domain(i)`),
 * with the message's real body hash and a worthless b=: a flood of signatures as a hostile
 * sender would add them. The body hash matches, so each one costs the verifier a key lookup.
 * The message's own signatures stay below them. */
export async function withJunkSignatures(text: string | Buffer, count: number, domain: (i: number) => string): Promise<Buffer> {
  const body = Buffer.isBuffer(text) ? text : Buffer.from(text);
  // The body hash of the relaxed body, as a real signer computes it.
  const probe = await sign(body.toString('latin1'), [{ domain: 'probe.test', selector: 'k', key: rsaKey(1024) }]);
  const bh = /bh=([^;\s]+)/.exec(probe.toString('latin1').replace(/\r?\n[ \t]+/g, ''))?.[1];
  if (bh === undefined) throw new Error('no bh= in the probe signature');
  const junk = Buffer.alloc(128, 7).toString('base64');
  const fields: string[] = [];
  for (let i = 0; i < count; i++) {
    fields.push(`DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=${domain(i)}; s=k; h=from:subject; bh=${bh}; b=${junk}\r\n`);
  }
  return Buffer.concat([Buffer.from(fields.join('')), body]);
}
