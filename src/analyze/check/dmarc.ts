/**
 * DMARC checks of one of our domains (RFC 7489, RFC 9989): a single valid record at
 * `_dmarc.<domain>` (or the organisational domain's, which then applies, RFC 7489 §6.6.3), its
 * policy and alignment modes against how we actually sign, and its rua: present, reaching a
 * mailbox ruaflow reads, and authorised by any receiving domain outside our organisational
 * domain (RFC 7489 §7.1).
 */
import { tagList } from '../../mail/tag-list.js';
import type { CheckContext, DomainSetup } from './context.js';
import { checkDestination } from '../../dmarc/destination.js';
import { discoverDmarc, type DmarcDiscovery } from '../../dmarc/discovery.js';
import type { DmarcRecord, RuaUri } from '../../dmarc/record.js';
import { sameOrganisation } from '../../dmarc/org-domain.js';
import { ruaAuthorization, suggestedDmarc, zoneTxt } from './records.js';
import { fail, pass, temperror, warn, type CheckResult } from './types.js';

/** The rua address we suggest: the mailbox ruaflow reads, else the conventional one. */
export const ruaFor = (domain: string, ctx: Pick<CheckContext, 'readMailboxes'>): string => ctx.readMailboxes[0] ?? `dmarc-reports@${domain}`;

export async function checkDmarc(setup: DomainSetup, ctx: CheckContext): Promise<CheckResult[]> {
  const domain = setup.domain.name;
  const suggested = zoneTxt(suggestedDmarc(domain, ruaFor(domain, ctx)));
  const found = await discoverDmarc(ctx.resolver, domain);
  switch (found.kind) {
    case 'temperror':
      return [temperror('dmarc.record', found.name, found.code)];
    case 'none':
      return [fail('dmarc.record', `no DMARC record at _dmarc.${domain}: receivers apply no policy and send no reports`, `publish\n${suggested}`)];
    case 'several':
      return [
        fail(
          'dmarc.record',
          `${found.texts.length} DMARC records at _dmarc.${found.owner}; receivers ignore them all (RFC 7489 §6.6.3)`,
          `keep exactly one of:\n${found.texts.map((t) => `  ${t}`).join('\n')}`,
        ),
      ];
    case 'found':
      break;
  }
  const results: CheckResult[] = [];
  const { owner, text, record } = found;
  const where = `_dmarc.${owner}`;

  if (record.errors.length > 0) {
    return [fail('dmarc.record', `${where}: ${record.errors.join('; ')}: receivers ignore this record`, `publish a valid record, e.g.\n${suggested}`)];
  }
  results.push(
    pass(
      'dmarc.record',
      found.via === 'domain'
        ? `${where}: ${text}`
        : `no record at _dmarc.${domain}; the ${found.via === 'psd' ? 'public suffix domain' : 'organisational domain'}'s record applies (${where}: ${text})`,
    ),
  );
  results.push(
    record.issues.length === 0
      ? pass('dmarc.tags', 'every tag is valid')
      : warn('dmarc.tags', `${where}: ${record.issues.join('; ')}`, 'correct or remove these tags; receivers ignore invalid values (RFC 7489 §6.3)'),
  );
  results.push(policyCheck(domain, found));
  results.push(alignmentCheck(setup, record));
  results.push(ruaCheck(owner, record, text, ctx));
  results.push(...(await authorizationChecks(owner, record, ctx)));
  return results;
}

const STRENGTH = { none: 0, quarantine: 1, reject: 2 } as const;

function policyCheck(domain: string, { owner, record, text, applies }: Extract<DmarcDiscovery, { kind: 'found' }>): CheckResult {
  // For a subdomain under the organisational domain's record, sp= or np= may be what applies.
  const applied = record[applies];
  const summary = ['p', 'sp', 'np'].filter((t) => record.tags.has(t)).map((t) => `${t}=${record.tags.get(t) ?? ''}`).join(', ');
  if (applied === 'none') {
    // The tag to tighten is the one that applies: sp= (or np=) for a subdomain that inherits.
    const inherited = owner === domain ? '' : ` (${applies}= applies to ${domain})`;
    return warn(
      'dmarc.policy',
      `${summary}${inherited}: monitoring only, receivers take no action on mail that fails DMARC`,
      `once the reports show every legitimate source passing, publish ${applies}=quarantine, then ${applies}=reject:\n${zoneTxt({ name: `_dmarc.${owner}`, value: withTag(text, applies, 'quarantine') })}`,
    );
  }
  if (record.testing) {
    return warn('dmarc.policy', `${summary} with t=y: receivers treat the policy as a test (RFC 9989 §4.7)`, `remove t=y when testing is over:\n${zoneTxt({ name: `_dmarc.${owner}`, value: withTag(text, 't', null) })}`);
  }
  if (record.pct !== null && record.pct < 100) {
    return warn('dmarc.policy', `${summary} with pct=${record.pct}: the policy applies to part of the failing mail only`, 'raise pct to 100 (or remove it) once the reports look clean');
  }
  const p = record.p ?? 'none';
  const weaker = (['sp', 'np'] as const).filter((t) => record[t] !== null && STRENGTH[record[t] ?? 'none'] < STRENGTH[p]);
  if (owner === domain && weaker.length > 0) {
    return warn('dmarc.policy', `${summary}: ${weaker.join(' and ')} weaker than p=${p}; subdomains (or non-existent ones) can be spoofed`, `set ${weaker.map((t) => `${t}=${p}`).join('; ')} unless a subdomain still has unaligned senders`);
  }
  return pass('dmarc.policy', summary);
}

function alignmentCheck(setup: DomainSetup, record: DmarcRecord): CheckResult {
  const domain = setup.domain.name;
  const modes = `adkim=${record.adkim}, aspf=${record.aspf}`;
  for (const key of setup.keys) {
    if (!sameOrganisation(key.signingDomain, domain)) {
      return fail(
        'dmarc.alignment',
        `selector ${key.selector} signs ${domain} mail as d=${key.signingDomain} (${key.via === 'symlink' ? 'symlinked key folder' : 'configured key'}), which never aligns with ${domain}: DKIM cannot pass DMARC`,
        `give ${domain} its own key: ruaflow keygen ${domain}`,
      );
    }
    if (record.adkim === 's' && key.signingDomain !== domain) {
      return fail('dmarc.alignment', `adkim=s, but selector ${key.selector} signs as d=${key.signingDomain} (not exactly ${domain}): DKIM fails strict alignment`, `publish adkim=r, or give ${domain} its own key: ruaflow keygen ${domain}`);
    }
  }
  return pass('dmarc.alignment', `${modes}${setup.keys.length > 0 ? `; our keys sign as ${[...new Set(setup.keys.map((k) => `d=${k.signingDomain}`))].join(', ')}` : ''}`);
}

function ruaCheck(owner: string, record: DmarcRecord, text: string, ctx: CheckContext): CheckResult {
  const ours = ctx.readMailboxes[0];
  if (record.rua.length === 0) {
    const value = withTag(text, 'rua', `mailto:${ruaFor(owner, ctx)}`);
    return warn('dmarc.rua', 'no rua: receivers send no aggregate reports', `add rua:\n${zoneTxt({ name: `_dmarc.${owner}`, value })}`);
  }
  const addresses = record.rua.map((u) => u.address).filter((a): a is string => a !== null);
  const list = record.rua.map((u) => u.uri).join(', ');
  if (addresses.length === 0) return warn('dmarc.rua', `rua=${list} has no mailto: address; reports cannot reach us`, 'use rua=mailto:ADDRESS');
  if (ours === undefined) {
    return warn('dmarc.rua', `rua=${list}; cannot tell whether ruaflow reads that mailbox`, 'set [imap] user (or [reporter] email) to the rua address ruaflow reads');
  }
  if (addresses.some((a) => ctx.readMailboxes.includes(a))) return pass('dmarc.rua', `rua=${list} reaches ${ours}, which ruaflow reads`);
  return warn(
    'dmarc.rua',
    `rua=${list}, but ruaflow reads ${ctx.readMailboxes.join(', ')}: these reports do not reach it`,
    `add our mailbox:\n${zoneTxt({ name: `_dmarc.${owner}`, value: withTag(text, 'rua', [...record.rua.map((u) => u.uri), `mailto:${ours}`].join(',')) })}`,
  );
}

/** RFC 7489 §7.1: each rua host outside our organisational domain must publish
 * `<our-domain>._report._dmarc.<host>` with v=DMARC1, or receivers drop that address. Judged
 * exactly as our own report sender judges it (src/dmarc/destination.ts). */
async function authorizationChecks(owner: string, record: DmarcRecord, ctx: CheckContext): Promise<CheckResult[]> {
  const byHost = new Map<string, RuaUri>();
  for (const u of record.rua) if (u.host !== null && u.address !== null && !byHost.has(u.host)) byHost.set(u.host, u);
  const results = await Promise.all(
    [...byHost.values()].map(async (u): Promise<CheckResult | null> => {
      const host = u.host ?? '';
      const expected = ruaAuthorization(owner, host);
      const verdict = await checkDestination(ctx.resolver, owner, { uri: u.uri, address: u.address ?? '', host, maxBytes: null });
      switch (verdict.kind) {
        case 'internal':
          return null;
        case 'authorized':
          return pass('dmarc.rua_authorization', `${host} accepts reports for ${owner} (${expected.name})`);
        case 'temperror':
          return temperror('dmarc.rua_authorization', expected.name, verdict.code);
        case 'unauthorized':
          return fail('dmarc.rua_authorization', `rua at ${host} (another organisational domain): ${verdict.reason}: receivers will not send reports there (RFC 7489 §7.1)`, `the owner of ${host} publishes\n${zoneTxt(expected)}`);
      }
    }),
  );
  return results.filter((r): r is CheckResult => r !== null);
}

/** The record text with one tag set (or removed with null), other tags kept in place. */
export function withTag(text: string, tag: string, value: string | null): string {
  const specs = tagList(text);
  const parts = specs.map((p) => p.text);
  const at = specs.findIndex((p) => p.name === tag);
  if (value === null) return (at < 0 ? parts : parts.filter((_, i) => i !== at)).join('; ');
  if (at < 0) return [...parts, `${tag}=${value}`].join('; ');
  return parts.map((p, i) => (i === at ? `${tag}=${value}` : p)).join('; ');
}
