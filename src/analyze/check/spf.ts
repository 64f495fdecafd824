/**
 * SPF checks of one of our domains (RFC 7208): a single valid record, its DNS-lookup budget
 * (at most 10 lookups and 2 void lookups, §4.6.4), and every address of every relay and service
 * range authorised — judged for the whole range where the record allows it, else by mailauth's
 * SPF engine on sample addresses, through our DNS port (spf-range.ts).
 */
import { lookupTxt } from '../../ports/dns.js';
import type { CheckContext, DomainSetup } from './context.js';
import { suggestedSpf, zoneTxt } from './records.js';
import { rangeCheck } from './spf-range.js';
import { allQualifier, isSpfRecord, parseSpfRecord, redirectOf, type SpfRecord } from './spf-record.js';
import { SPF_LOOKUP_LIMIT, SPF_VOID_LIMIT, walkSpf, type SpfWalk } from './spf-walk.js';
import { fail, pass, temperror, warn, type CheckResult } from './types.js';

export async function checkSpf(setup: DomainSetup, ctx: CheckContext): Promise<CheckResult[]> {
  const domain = setup.domain.name;
  const suggestion = suggestedSpf(domain, setup.domain);
  const suggested = `${zoneTxt(suggestion.record)}${suggestion.note === null ? '' : `\n(${suggestion.note})`}`;
  const answer = await lookupTxt(ctx.resolver, domain);
  if (answer.kind === 'temperror') return [temperror('spf.record', domain, answer.code)];
  const texts = answer.kind === 'records' ? answer.records.filter(isSpfRecord) : [];
  if (texts.length === 0) return [fail('spf.record', `no SPF record at ${domain}: receivers cannot tell our relays from forgers`, `publish\n${suggested}`)];
  if (texts.length > 1) {
    return [fail('spf.record', `${texts.length} SPF records at ${domain}: permerror for every message (RFC 7208 §4.5)`, `merge them into one, e.g.\n${suggested}`)];
  }
  const text = texts[0] ?? '';
  const record = parseSpfRecord(text);
  if (record.errors.length > 0) return [fail('spf.record', `${domain}: ${text}: ${record.errors.join('; ')} (permerror)`, `publish a valid record, e.g.\n${suggested}`)];

  const walk = await walkSpf(domain, record, ctx.resolver);
  const results: CheckResult[] = [pass('spf.record', `${domain}: ${text}`), allCheck(domain, text, record), lookupsCheck(walk)];
  const published = { domain, text, walk };
  for (const relay of setup.domain.relays) results.push(await rangeCheck({ check: 'spf.relay', label: `relay ${relay}`, range: relay }, published, ctx));
  for (const service of setup.domain.services) {
    for (const range of service.ips) results.push(await rangeCheck({ check: 'spf.service', label: `service ${service.name} ${range}`, range }, published, ctx));
  }
  if (setup.domain.relays.length === 0) {
    results.push(warn('spf.relay', 'no relays configured: cannot check that our outbound servers pass SPF', `list them in the configuration: [[domains]] name = "${domain}" relays = ["192.0.2.10", "2001:db8::/48"]`));
  }
  return results;
}

function allCheck(domain: string, text: string, record: SpfRecord): CheckResult {
  const q = allQualifier(record);
  const redirect = redirectOf(record) !== undefined;
  if (q === '+') return fail('spf.all', `${domain}: +all authorises every host on the Internet`, `end the record with -all:\n${text.replace(/\s\+?all\b/i, ' -all')}`);
  if (q === '?') return warn('spf.all', `${domain}: ?all (neutral) says nothing about other hosts`, 'end the record with -all (or ~all while testing)');
  if (q === null && !redirect) return warn('spf.all', `${domain}: no all mechanism; other hosts get neutral (RFC 7208 §4.7)`, `end the record with -all:\n${text} -all`);
  return pass('spf.all', q === null ? 'the redirect= target decides for other hosts' : `other hosts: ${q}all`);
}

/** spf.lookups, read from the walk (RFC 7208 §4.6.4). */
function lookupsCheck(walk: SpfWalk): CheckResult {
  if (walk.temperror !== null) return temperror('spf.lookups', walk.temperror.name, walk.temperror.code);
  const detail = `${walk.lookups} DNS lookup${walk.lookups === 1 ? '' : 's'} (limit ${SPF_LOOKUP_LIMIT}), ${walk.voids} void (limit ${SPF_VOID_LIMIT})${walk.notes.length > 0 ? `; ${walk.notes.join('; ')}` : ''}`;
  if (walk.lookups > SPF_LOOKUP_LIMIT) {
    return fail('spf.lookups', `${detail}: receivers return permerror (RFC 7208 §4.6.4)`, 'replace include:/a/mx terms by the ip4:/ip6: ranges they stand for, or drop includes of services no longer used');
  }
  if (walk.voids > SPF_VOID_LIMIT) return fail('spf.lookups', `${detail}: receivers may return permerror (RFC 7208 §4.6.4)`, 'remove the terms that name domains without records');
  if (walk.notes.some((n) => n.includes('permerror'))) return fail('spf.lookups', detail, 'fix or remove the include:/redirect= terms named above');
  return pass('spf.lookups', detail);
}
