/**
 * Verifying an external report destination (RFC 7489 §7.1; RFC 9990 §3 "Verifying External
 * Destinations"), through the DNS port.
 *
 * When the rua host's Organizational Domain differs from the policy domain's, the host must
 * publish `<policy-domain>._report._dmarc.<host>` (TXT, `v=DMARC1…`; wildcards work). No such
 * record: the URI is not used. A temporary DNS error: the delivery is deferred, not dropped
 * (step 4: "MAY defer"). A `rua` in that record replaces the URI if it names the same host;
 * naming another host means sending to neither (step 8).
 *
 * Organizational Domains come from the Public Suffix List (tldts, the list mailauth uses to
 * verify DMARC alignment), so both directions agree on what "the same organisation" means.
 */
import { domainToASCII } from 'node:url';
import { parseDmarcRecord } from './record.js';
import { sameOrganisation } from './org-domain.js';
import { lookupTxt, type DnsResolver } from '../ports/dns.js';
import { parseRua, type RuaDestination } from './rua.js';
import { EXTERNAL_RUA_URIS_READ } from '../limits.js';

export type DestinationCheck =
  /** Same Organizational Domain: no authorisation needed. */
  | { readonly kind: 'internal'; readonly destination: RuaDestination }
  /** Authorised by the host; `destination` may be the record's replacement URI. */
  | { readonly kind: 'authorized'; readonly destination: RuaDestination }
  | { readonly kind: 'unauthorized'; readonly reason: string }
  | { readonly kind: 'temperror'; readonly reason: string; readonly code: string };

export function authorizationName(policyDomain: string, host: string): string | null {
  const name = `${domainToASCII(policyDomain) || policyDomain}._report._dmarc.${host}`;
  // RFC 9990 §3 step 3: a name longer than DNS allows cannot authorise anything.
  if (name.length > 253 || name.split('.').some((l) => l.length === 0 || l.length > 63)) return null;
  return name;
}

export async function checkDestination(resolver: DnsResolver, policyDomain: string, destination: RuaDestination): Promise<DestinationCheck> {
  if (sameOrganisation(policyDomain, destination.host)) return { kind: 'internal', destination };
  const name = authorizationName(policyDomain, destination.host);
  if (name === null) return { kind: 'unauthorized', reason: `${policyDomain}._report._dmarc.${destination.host} is longer than DNS allows` };
  const answer = await lookupTxt(resolver, name);
  if (answer.kind === 'temperror') return { kind: 'temperror', reason: `${name} TXT: ${answer.code}`, code: answer.code };
  const records = answer.kind === 'records' ? answer.records.filter((r) => /^v\s*=\s*DMARC1\s*(;|$)/.test(r.trim())) : [];
  if (records.length === 0) return { kind: 'unauthorized', reason: `${destination.host} does not accept reports for ${policyDomain} (no v=DMARC1 record at ${name})` };
  const rua = parseDmarcRecord(records[0] ?? '').tags.get('rua') ?? null;
  if (rua === null) return { kind: 'authorized', destination };
  const replacement = parseRua(rua, EXTERNAL_RUA_URIS_READ).destinations.find((d) => d.host === destination.host);
  if (replacement === undefined) return { kind: 'unauthorized', reason: `${name} names a rua on another host` };
  return { kind: 'authorized', destination: replacement };
}
