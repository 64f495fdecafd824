/**
 * Authentication of one received message: mailauth (SPF, DKIM, ARC, then DMARC) through our DNS
 * port, and its answer turned into our model (types.ts).
 *
 * Two things are done here rather than left to mailauth's defaults:
 * - RFC 8301: rsa-sha1 signatures and RSA keys under 1024 bits count as failed. mailauth only
 *   marks rsa-sha1 as `policy` when asked, and then does not fetch the key, so the key size is
 *   lost; we let it verify, then fail the signature ourselves with the reason and the key size
 *   (§3.1, §3.2). Short keys come back from mailauth as `policy` (weak-key) and become fail too.
 * - DMARC runs after that correction (authenticate() is called with disableDmarc, then dmarc()
 *   with only the signatures we count as passing), so a passing rsa-sha1 signature can never make
 *   DMARC pass. mailauth 7 discovers the policy with the RFC 9989 §4.10 DNS tree walk.
 */
import { createPublicKey } from 'node:crypto';
import { authenticate, dmarc as verifyDmarc, type ARCResult, type DKIMResult, type DMARCResult, type DNSResolver } from 'mailauth';
import { nameExists, type DnsResolver } from '../ports/dns.js';
import { parsePublishedPolicy } from './dmarc-policy.js';
import { isUnder } from '../dmarc/domain-under.js';
import { domainOfAddress } from './local-policy.js';
import { capDkimSignatures } from './signature-cap.js';
import type { ArcOutcome, AuthOutcome, DkimResult, DkimSignature, DmarcOutcome, Envelope, PublishedPolicy, SignatureStatus, SpfOutcome, SpfResult } from './types.js';
import { DEFAULT_LIMITS, HEADER_VALUE_MAX_CHARS, PUBLISHED_POLICY_CACHE_ENTRIES as PUBLISHED_MAX } from '../limits.js';

/** RFC 8301 §3.2: verifiers MUST NOT consider signatures with RSA keys under 1024 bits valid. */
const MIN_RSA_BITS = 1024;

export interface VerifyOptions {
  readonly resolver: DnsResolver;
  /** Our authserv-id (mailauth's `mta`). */
  readonly authservId: string;
  /** `[limits] max_dkim_signatures` (DEFAULT_LIMITS when left out). */
  readonly maxDkimSignatures?: number;
}

export async function authenticateMessage(message: Buffer, envelope: Envelope, options: VerifyOptions): Promise<AuthOutcome> {
  const resolver = options.resolver as unknown as DNSResolver;
  // RFC 6376 §6.1: a verifier may limit the signatures it verifies (signature-cap.ts).
  const capped = capDkimSignatures(message, options.maxDkimSignatures ?? DEFAULT_LIMITS.maxDkimSignatures);
  const result = await authenticate(capped.message, {
    ip: envelope.ip,
    helo: envelope.helo,
    // '' is the null reverse-path: mailauth then checks the HELO identity (RFC 7208 §2.4).
    sender: envelope.mailFrom,
    mta: options.authservId,
    resolver,
    minBitLength: MIN_RSA_BITS,
    disableDmarc: true,
    disableBimi: true,
  });

  const headers = result.dkim.headers?.parsed ?? [];
  const identities = signatureIdentities(headers);
  // An unsigned message comes back as one `none` entry ("message not signed"): no signature.
  const signatures = (result.dkim.results ?? []).filter((r) => r.status.result !== 'none').map((r) => mapSignature(r, identities));
  const spf = mapSpf(result.spf, envelope);
  const arc = mapArc(result.arc);
  const headerFromDomains = [...new Set((result.dkim.headerFrom ?? []).map(domainOfAddress).filter((d) => d !== ''))];

  const dmarc = await evaluateDmarc({
    headerFrom: result.dkim.headerFrom ?? [],
    fromFields: result.dkim.fromFields ?? 0,
    headerFromDomains,
    spf,
    signatures,
    arcResult: result.arc === false ? undefined : result.arc,
    resolver: options.resolver,
  });

  const strict = dmarc.published?.adkim === 's';
  const alignedWith = (d: string): boolean => aligns(d, dmarc.authorDomain, dmarc.orgDomain, strict);

  return {
    envelope,
    headerFrom: headerFromDomains.length === 1 && (result.dkim.fromFields ?? 0) <= 1 ? (headerFromDomains[0] ?? null) : null,
    headerFromDomains,
    fromFields: result.dkim.fromFields ?? 0,
    messageId: headerValue(headers, 'message-id'),
    listId: listId(headerValue(headers, 'list-id')),
    spf,
    dkim: signatures.map((s) => ({ ...s, aligned: alignedWith(s.domain) })),
    dkimUnchecked: capped.unchecked,
    dmarc,
    arc,
  };
}

// ---------------------------------------------------------------------------------------------
// DKIM

/** mailauth's comments for a key it could not use (tools.js KEY_ERROR_COMMENTS). */
const KEY_PROBLEMS = new Set(['unknown key version', 'unknown key type', 'invalid public key', 'inappropriate hash algorithm', 'key not for email']);

function mapSignature(r: DKIMResult, identities: ReadonlyMap<string, string>): DkimSignature {
  const algorithm = r.algo !== undefined ? r.algo.toLowerCase() : null;
  const bits = keyBits(r, algorithm);
  const comment = r.status.comment ?? null;
  const b = typeof r.signature === 'string' ? r.signature.replace(/\s+/g, '') : null;
  const base = {
    domain: (r.signingDomain ?? '').toLowerCase(),
    selector: r.selector ?? '',
    identity: b !== null ? (identities.get(b) ?? null) : null,
    algorithm,
    bits,
    aligned: false,
    b: b !== null && b.length > 0 ? b.slice(0, 8) : null,
  };
  const as = (result: DkimResult, status: SignatureStatus, reason: string | null): DkimSignature => ({ ...base, result, status, reason });

  if (algorithm === 'rsa-sha1') return as('fail', 'fail', 'rsa-sha1 is historic and not accepted (RFC 8301 section 3.1)');
  switch (r.status.result) {
    case 'pass':
      return as('pass', 'pass', null);
    case 'fail':
      return as('fail', 'fail', comment ?? 'bad signature');
    case 'policy':
      if (r.status.policy?.['dkim-rules'] === 'weak-key') {
        return as('fail', 'fail', `RSA key of ${bits ?? '?'} bits is under ${MIN_RSA_BITS} (RFC 8301 section 3.2)`);
      }
      return as('fail', 'fail', comment ?? 'not acceptable by policy');
    case 'temperror':
      // seed 000: the key cannot be fetched → defer
      return as('temperror', 'invalid', comment ?? 'DNS failure');
    default:
      break;
  }
  // mailauth's lenient mode reports these as neutral; RFC 6376 §6.1 gives them their real weight.
  if (comment === 'body hash did not verify') return as('fail', 'fail', comment);
  if (comment === 'expired' || comment === 'invalid expiration') return as('fail', 'fail', `signature ${comment}`);
  if (comment === 'no key') return as('permerror', 'invalid', 'no key for signature');
  if (comment !== null && KEY_PROBLEMS.has(comment)) return as('permerror', 'invalid', comment);
  // A signature mailauth could not process (syntax, From not signed): RFC 8601 §2.7.1 neutral;
  // seed 000 / Exim call it invalid.
  return as('neutral', 'invalid', comment ?? 'signature could not be processed');
}

/** RSA modulus bits (also for a key mailauth refused as too short), 256 for ed25519. */
function keyBits(r: DKIMResult, algorithm: string | null): number | null {
  if (typeof r.modulusLength === 'number') return r.modulusLength;
  if (algorithm === 'ed25519-sha256' && r.publicKey !== undefined) return 256;
  if (typeof r.rr === 'string') {
    const p = /(?:^|;)\s*p=([^;]*)/.exec(r.rr)?.[1]?.replace(/\s+/g, '');
    if (p !== undefined && p !== '') {
      try {
        const key = createPublicKey({ key: Buffer.from(p, 'base64'), format: 'der', type: 'spki' });
        return key.asymmetricKeyDetails?.modulusLength ?? (key.asymmetricKeyType === 'ed25519' ? 256 : null);
      } catch {
        return null;
      }
    }
  }
  return null;
}

type ParsedHeader = { readonly key: string; readonly line: Buffer };

/** i= of each DKIM-Signature, keyed by its b= (whitespace removed): mailauth's lenient result
 * reports `@d` instead of the signature's own AUID. */
function signatureIdentities(headers: readonly ParsedHeader[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const h of headers) {
    if (h.key !== 'dkim-signature') continue;
    const text = h.line.toString('binary');
    // Tags are separated by ";" and may be preceded by folding white space (RFC 6376 §3.2).
    const i = /(?:^[^:]*:|;)\s*i\s*=([^;]*)/.exec(text)?.[1]?.replace(/\s+/g, '');
    if (i === undefined || i === '') continue;
    const b = /(?:^[^:]*:|;)\s*b\s*=([^;]*)/.exec(text)?.[1]?.replace(/\s+/g, '');
    if (b !== undefined) out.set(b, i);
  }
  return out;
}

function headerValue(headers: readonly ParsedHeader[], key: string): string | null {
  const h = headers.find((x) => x.key === key);
  if (h === undefined) return null;
  const v = h.line
    .toString('utf8')
    .replace(/^[^:]*:/, '')
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
  return v === '' ? null : v.slice(0, HEADER_VALUE_MAX_CHARS);
}

/** RFC 2919 §3: `List-Id: [phrase] <list-label.domain>` → the identifier. */
function listId(v: string | null): string | null {
  if (v === null) return null;
  const m = /<([^<>\s]+)>/.exec(v);
  return (m?.[1] ?? v).toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// SPF, ARC

const SPF_RESULTS = new Set<string>(['none', 'neutral', 'pass', 'fail', 'softfail', 'temperror', 'permerror']);

function mapSpf(spf: Awaited<ReturnType<typeof authenticate>>['spf'], envelope: Envelope): SpfOutcome {
  const scope = envelope.mailFrom === '' ? 'helo' : 'mfrom';
  const domain = scope === 'helo' ? envelope.helo.toLowerCase() : domainOfAddress(envelope.mailFrom);
  if (spf === false) return { domain, scope, result: 'none', comment: null };
  const raw = String(spf.status.result).toLowerCase();
  // mailauth's older spelling of temperror
  const result = (raw === 'temperr' ? 'temperror' : SPF_RESULTS.has(raw) ? raw : 'permerror') as SpfResult;
  return { domain: spf.domain !== undefined && spf.domain !== '-' ? spf.domain.toLowerCase() : domain, scope, result, comment: spf.status.comment ?? null };
}

function mapArc(arc: ARCResult | false): ArcOutcome {
  if (arc === false) return { result: 'none', sealer: null, comment: null };
  const result = arc.status.result === 'pass' ? 'pass' : arc.status.result === 'fail' ? 'fail' : 'none';
  const sealer = result === 'pass' && arc.signature !== false && arc.signature !== undefined ? (arc.signature.signingDomain ?? null) : null;
  return { result, sealer: sealer?.toLowerCase() ?? null, comment: arc.status.comment ?? null };
}

// ---------------------------------------------------------------------------------------------
// DMARC

/** Parsed records by their text: a busy service sees the same few thousand records again and again. */
const PUBLISHED = new Map<string, PublishedPolicy>();
function publishedPolicy(record: string): PublishedPolicy {
  let hit = PUBLISHED.get(record);
  if (hit === undefined) {
    hit = parsePublishedPolicy(record);
    if (PUBLISHED.size >= PUBLISHED_MAX) PUBLISHED.clear();
    PUBLISHED.set(record, hit);
  }
  return hit;
}

async function evaluateDmarc(input: {
  headerFrom: readonly string[];
  fromFields: number;
  headerFromDomains: readonly string[];
  spf: SpfOutcome;
  signatures: readonly DkimSignature[];
  arcResult: ARCResult | undefined;
  resolver: DnsResolver;
}): Promise<DmarcOutcome> {
  const none = {
    authorDomain: null,
    policyDomain: null,
    orgDomain: null,
    discoveryMethod: null,
    published: null,
    authorDomainExists: null,
    spfAligned: false,
    dkimAligned: false,
  } as const;
  // RFC 9989 §5.3.1: without exactly one author domain DMARC cannot be evaluated; §11.5 calls
  // such a message suspicious. We record permerror with the reason.
  if (input.fromFields > 1) return { ...none, result: 'permerror', comment: `${input.fromFields} From header fields` };
  if (input.headerFromDomains.length === 0) return { ...none, result: 'permerror', comment: 'no From address' };
  if (input.headerFromDomains.length > 1) return { ...none, result: 'permerror', comment: `several From domains: ${input.headerFromDomains.join(', ')}` };

  const response: DMARCResult | false = await verifyDmarc({
    headerFrom: [...input.headerFrom],
    fromFields: input.fromFields,
    // The SPF-authenticated identifier is the MAIL FROM domain; for the null reverse-path that
    // identity is postmaster@<HELO name> (RFC 7208 §2.4), so a bounce's HELO result is the one
    // DMARC aligns (RFC 9989 §4.4), as Mail::DMARC and OpenDMARC do. mapSpf checks the HELO
    // scope only then, so whichever identity was checked is the one that counts.
    spfDomains: input.spf.result === 'pass' ? [input.spf.domain] : [],
    dkimDomains: input.signatures.filter((s) => s.status === 'pass').map((s) => ({ domain: s.domain })),
    ...(input.arcResult !== undefined ? { arcResult: input.arcResult } : {}),
    resolver: input.resolver as unknown as DNSResolver,
  });
  if (response === false) return { ...none, result: 'permerror', comment: 'no usable From address' };

  const raw = String(response.status.result);
  let result: DmarcOutcome['result'] = raw === 'pass' || raw === 'fail' || raw === 'temperror' || raw === 'permerror' ? raw : 'none';
  let comment = response.error ?? (result === 'none' ? 'no DMARC record' : null);
  const authorDomain = (response.status.header?.from ?? input.headerFromDomains[0] ?? '').toLowerCase().replace(/\.$/, '');
  const published = typeof response.rr === 'string' && response.rr !== '' ? publishedPolicy(response.rr) : null;
  const policyDomain = response.policyDomain ?? null;
  const orgDomain = response.domain ? response.domain.toLowerCase() : null;
  // Nothing passed aligned, but an identifier that would align failed temporarily (the SPF
  // check of MAIL FROM, or of HELO for a bounce, or a DKIM key lookup): the result is not known yet, so it is a temperror, not a fail
  // (RFC 9989 §4.4, §5.3 step 5 — a later attempt may pass). Only identifiers DMARC would count:
  // a signature whose d= can never align must not turn a reject into a defer.
  const temporarySpf = input.spf.result === 'temperror' && aligns(input.spf.domain, authorDomain, orgDomain, published?.aspf === 's');
  const temporaryDkim = input.signatures.some((s) => s.result === 'temperror' && aligns(s.domain, authorDomain, orgDomain, published?.adkim === 's'));
  if (result === 'fail' && (temporarySpf || temporaryDkim)) {
    result = 'temperror';
    comment = `${temporarySpf ? 'SPF' : 'DKIM'} lookup failed temporarily`;
  }

  // np applies to a domain that does not exist (RFC 9989 §4.10.1, §A.4). Asked only when it
  // matters; the cache makes it free after mailauth's own check. null: not known (temperror).
  let authorDomainExists: boolean | null = null;
  if (published?.np != null && policyDomain !== null && policyDomain !== authorDomain) {
    const existence = await nameExists(input.resolver, authorDomain);
    authorDomainExists = 'exists' in existence ? existence.exists : null;
  }

  return {
    result,
    comment,
    authorDomain,
    policyDomain,
    orgDomain,
    discoveryMethod: 'treewalk',
    published,
    authorDomainExists,
    spfAligned: typeof response.alignment?.spf?.result === 'string',
    dkimAligned: typeof response.alignment?.dkim?.result === 'string',
  };
}

/** Identifier alignment (RFC 9989 §3.2.10, §4.4): strict is identity with the author domain;
 * relaxed is being under the organisational domain the tree walk found for it. */
function aligns(domain: string, authorDomain: string | null, orgDomain: string | null, strict: boolean): boolean {
  if (authorDomain === null || authorDomain === '') return false;
  const d = domain.toLowerCase().replace(/\.$/, '');
  if (strict || orgDomain === null) return d === authorDomain;
  return isUnder(d, orgDomain);
}
