/**
 * DKIM checks of one of our domains: for each local signing key (src/app/signing-keys.ts) the
 * record at `<selector>._domainkey.<d=>` exists, is not revoked, matches our key pair, is long
 * enough (RFC 8301: ≥ 1024 bits required, ≥ 2048 recommended), allows sha256 and is not in test
 * mode; then a self-test signs a message with our private key (mailauth dkimSign) and verifies
 * it against the published record (mailauth dkimVerify through our DNS port).
 */
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import type { SigningKey } from '../../types/signing-keys.js';
import { signMessage } from '../../mail/dkim-sign.js';
import { lookupTxt } from '../../ports/dns.js';
import type { CheckContext, DomainSetup } from './context.js';
import { decodePublishedKey, looksLikeDkimKey, parseDkimKeyRecord } from './dkim-record.js';
import { dkimRecord, zoneTxt } from './records.js';
import { fail, pass, temperror, warn, type CheckResult } from './types.js';

/** RFC 8301 §3.2: verifiers must not accept keys below 1024 bits; 2048 is what signers should use. */
export const DKIM_MIN_BITS = 1024;
export const DKIM_RECOMMENDED_BITS = 2048;

export async function checkDkim(setup: DomainSetup, ctx: CheckContext): Promise<CheckResult[]> {
  const domain = setup.domain.name;
  if (setup.keys.length === 0) {
    return [
      warn(
        'dkim.keys',
        `no local DKIM key for ${domain}: its mail is not signed by us (or ruaflow is not told where the key is)`,
        `create one with: ruaflow keygen ${domain}   (or set dkim_keys_dir / keys in [[domains]])`,
      ),
    ];
  }
  const results: CheckResult[] = [
    pass('dkim.keys', setup.keys.map((k) => `${k.selector} (d=${k.signingDomain}, ${k.algorithm} ${k.bits}${k.via === 'own' ? '' : `, ${k.via}'s key`})`).join(', ')),
  ];
  for (const key of setup.keys) results.push(...(await checkKey(key, ctx)));
  for (const selector of setup.domain.retiredSelectors) results.push(await retiredCheck(selector, domain, ctx));
  return results;
}

async function checkKey(key: SigningKey, ctx: CheckContext): Promise<CheckResult[]> {
  const ours = dkimRecord(key.selector, key.signingDomain, key.algorithm, key.publicKeyDns);
  const publish = `publish\n${zoneTxt(ours)}`;
  const name = ours.name;
  const results: CheckResult[] = [];
  if (key.publicFileMismatch) {
    results.push(
      warn('dkim.public_file', `${name}: the public file beside ${key.privateKeyFile} is not the public half of that private key (a half-finished rotation?)`, `regenerate it: openssl pkey -in ${key.privateKeyFile} -pubout -out public`),
    );
  }
  const answer = await lookupTxt(ctx.resolver, name);
  if (answer.kind === 'temperror') return [...results, temperror('dkim.record', name, answer.code)];
  const texts = answer.kind === 'records' ? answer.records.filter(looksLikeDkimKey) : [];
  if (texts.length === 0) return [...results, fail('dkim.record', `no DKIM key at ${name}: every signature we make fails (permerror, no key)`, publish)];
  if (texts.length > 1) return [...results, fail('dkim.record', `${texts.length} key records at ${name}: verifiers pick one at random`, `keep exactly one:\n${zoneTxt(ours)}`)];
  const record = parseDkimKeyRecord(texts[0] ?? '');
  if (record.errors.length > 0) return [...results, fail('dkim.record', `${name}: ${record.errors.join('; ')}`, publish)];
  if (record.publicKey === '') return [...results, fail('dkim.record', `${name}: p= is empty: the key is revoked (RFC 6376 §3.6.1), signatures fail`, `publish our current key, or sign with another selector:\n${zoneTxt(ours)}`)];
  results.push(pass('dkim.record', `${name}: k=${record.keyType}`));

  const published = decodePublishedKey(record);
  if (published === null) return [...results, fail('dkim.key_match', `${name}: p= is not a valid ${record.keyType} public key`, publish)];
  if (published.algorithm !== key.algorithm || published.canonical !== key.publicKeyDns) {
    return [...results, fail('dkim.key_match', `${name}: the published key is not the public half of ${key.privateKeyFile}: our signatures fail`, publish)];
  }
  results.push(pass('dkim.key_match', `${name} matches ${key.privateKeyFile}`));

  const bits = published.bits;
  if (key.algorithm === 'rsa' && bits < DKIM_MIN_BITS) {
    results.push(fail('dkim.key_size', `${name}: RSA ${bits} bits: receivers reject keys under ${DKIM_MIN_BITS} bits (RFC 8301 §3.2)`, `make a new key under a new selector: ruaflow keygen ${key.signingDomain} --bits ${DKIM_RECOMMENDED_BITS}`));
  } else if (key.algorithm === 'rsa' && bits < DKIM_RECOMMENDED_BITS) {
    results.push(warn('dkim.key_size', `${name}: RSA ${bits} bits; ${DKIM_RECOMMENDED_BITS} is recommended (RFC 8301 §3.2)`, `rotate to a longer key under a new selector: ruaflow keygen ${key.signingDomain} --bits ${DKIM_RECOMMENDED_BITS}`));
  } else {
    results.push(pass('dkim.key_size', `${name}: ${key.algorithm} ${bits} bits`));
  }

  if (record.hashes !== null && !record.hashes.includes('sha256')) {
    results.push(fail('dkim.algorithm', `${name}: h=${record.hashes.join(':')}: only rsa-sha1 allowed, which is historic and must not be used (RFC 8301 §3.1)`, `remove h= or publish h=sha256:\n${zoneTxt(ours)}`));
  } else {
    results.push(pass('dkim.algorithm', record.hashes === null ? 'no h= restriction; we sign with sha256' : `h=${record.hashes.join(':')}`));
  }

  results.push(
    record.testing
      ? warn('dkim.testing', `${name}: t=y: verifiers treat our signatures as a test (RFC 6376 §3.6.1)`, `remove t=y once signing works:\n${zoneTxt(ours)}`)
      : pass('dkim.testing', `${name}: not in test mode`),
  );
  results.push(await selfTest(key, ctx));
  return results;
}

/** Signs a small message with our private key and verifies it against DNS, as a receiver does. */
async function selfTest(key: SigningKey, ctx: CheckContext): Promise<CheckResult> {
  try {
    return await signAndVerify(key, ctx);
  } catch (error) {
    return fail('dkim.selftest', `the self-test could not run: ${(error as Error).message}`, 'run ruaflow check again; report this if it persists');
  }
}

async function signAndVerify(key: SigningKey, ctx: CheckContext): Promise<CheckResult> {
  const date = new Date(ctx.now * 1000);
  const message = [
    `From: ruaflow check <ruaflow-check@${key.domain}>`,
    `To: ruaflow-check@${key.domain}`,
    `Subject: ruaflow DKIM self-test`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <self-test.${ctx.now}@${key.domain}>`,
    '',
    'This message checks that our DKIM key verifies against DNS.',
    '',
  ].join('\r\n');
  // Signed exactly as our own outgoing mail is (src/mail/dkim-sign.ts), so the test covers that path.
  const signed = await signMessage(Buffer.from(message), key, date);
  if (signed.error !== null) {
    return fail('dkim.selftest', `could not sign with ${key.privateKeyFile}: ${signed.error}`, `check the key file, or make a new one: ruaflow keygen ${key.signingDomain}`);
  }
  const verified = await dkimVerify(signed.raw, { resolver: ctx.resolver as never, curTime: date });
  const result = verified.results.find((r) => r.signingDomain === key.signingDomain) ?? verified.results[0];
  const outcome = result?.status.result ?? 'none';
  const comment = result?.status.comment;
  const label = `${key.selector}._domainkey.${key.signingDomain}`;
  if (outcome === 'pass') return pass('dkim.selftest', `a message signed with ${key.privateKeyFile} verifies against ${label}`);
  if (outcome === 'temperror') return fail('dkim.selftest', `DNS temperror fetching ${label}; retry`, 'check the DNS servers and run ruaflow check again');
  return fail('dkim.selftest', `a message signed with our key does not verify against ${label}: ${outcome}${typeof comment === 'string' ? ` (${comment})` : ''}`, 'fix the failures above (dkim.record, dkim.key_match, dkim.key_size)');
}

/** A retired selector should be revoked (empty p=) or removed, so old signatures stop verifying. */
async function retiredCheck(selector: string, domain: string, ctx: CheckContext): Promise<CheckResult> {
  const name = `${selector}._domainkey.${domain}`;
  const answer = await lookupTxt(ctx.resolver, name);
  if (answer.kind === 'temperror') return temperror('dkim.retired', name, answer.code);
  const live = answer.kind === 'records' ? answer.records.filter(looksLikeDkimKey).filter((t) => parseDkimKeyRecord(t).publicKey !== '') : [];
  if (live.length === 0) return pass('dkim.retired', `${name}: retired selector is revoked or removed`);
  return warn('dkim.retired', `${name}: retired selector still publishes a key; mail signed with the old key keeps verifying`, `revoke it:\n${zoneTxt({ name, value: 'v=DKIM1; p=' })}`);
}
