/**
 * What `ruaflow keygen` prints and writes to the `dns` file beside the key (seed 001's
 * dkim_key_gen.sh idea): the DKIM key record, a suggested SPF record from our relays and
 * services, and a first DMARC record with our rua — in zone-file form, long values split into
 * 255-character strings. Pure.
 */
import type { KeyAlgorithm } from '../types/signing-keys.js';
import { sameOrganisation } from '../dmarc/org-domain.js';
import { dkimRecord, ruaAuthorization, suggestedDmarc, suggestedSpf, zoneTxt, type SpfSource, type TxtRecord } from '../analyze/check/records.js';

export type KeygenRecordKind = 'dkim' | 'spf' | 'dmarc' | 'rua_authorization';

export interface KeygenRecord extends TxtRecord {
  readonly kind: KeygenRecordKind;
  /** Why, as a zone-file comment line. */
  readonly note: string;
  /** The zone-file line(s) to paste. */
  readonly zone: string;
}

export interface KeygenInput {
  readonly domain: string;
  readonly selector: string;
  readonly algorithm: KeyAlgorithm;
  readonly publicKeyDns: string;
  readonly spf: SpfSource;
  /** The address aggregate reports should go to. */
  readonly rua: string;
}

export function keygenRecords(input: KeygenInput): KeygenRecord[] {
  const { domain } = input;
  const make = (kind: KeygenRecordKind, record: TxtRecord, note: string): KeygenRecord => ({ kind, ...record, note, zone: zoneTxt(record) });
  const spf = suggestedSpf(domain, input.spf);
  const records = [
    make('dkim', dkimRecord(input.selector, domain, input.algorithm, input.publicKeyDns), `DKIM: the public key for selector ${input.selector} (publish it before signing with the key)`),
    make('spf', spf.record, `SPF (suggested): our relays and services may send as ${domain}${spf.note === null ? '' : `; ${spf.note}`}`),
    make('dmarc', suggestedDmarc(domain, input.rua), 'DMARC (suggested): p=none collects reports without affecting delivery; tighten to p=quarantine, then p=reject, once ruaflow check and the reports show every source passing'),
  ];
  const ruaHost = input.rua.slice(input.rua.lastIndexOf('@') + 1);
  if (!sameOrganisation(ruaHost, domain)) {
    records.push(make('rua_authorization', ruaAuthorization(domain, ruaHost), `rua at another organisational domain: ${ruaHost} must publish this to accept reports for ${domain} (RFC 7489 §7.1)`));
  }
  return records;
}

/** The records as a zone-file fragment: a comment line, then the record. */
export function renderDnsFile(records: readonly KeygenRecord[]): string {
  return `${records.map((r) => `; ${r.note}\n${r.zone}\n`).join('\n')}`;
}
