/**
 * DMARC checks against zones served by a real loopback DNS server: each check with a zone that
 * passes and one that fails.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkDmarc, withTag } from '../../../src/analyze/check/dmarc.js';
import { discoverDmarc, type DmarcDiscovery } from '../../../src/dmarc/discovery.js';
import { parseDmarcRecord } from '../../../src/dmarc/record.js';
import { parseZoneTxt } from '../../../src/analyze/check/records.js';
import { startDnsServer, type DnsServer } from '../../helpers/dns-server.js';
import { contextFor, domainConfig, makeKey, only, setupOf, statuses } from './support.js';

let dns: DnsServer;
before(async () => {
  dns = await startDnsServer();
});
after(() => dns.stop());

/** Each test gets its own domain, so zones never leak between tests. */
let n = 0;
function zone(dmarc: string | readonly string[] | null, extra: Record<string, string[]> = {}): string {
  const domain = `d${++n}.example.com`;
  if (dmarc !== null) dns.set(`_dmarc.${domain}`, { TXT: typeof dmarc === 'string' ? [dmarc] : dmarc });
  for (const [name, txt] of Object.entries(extra)) dns.set(name.replace('DOMAIN', domain), { TXT: txt });
  return domain;
}
const run = (domain: string, readMailboxes?: readonly string[]) => checkDmarc(setupOf(domainConfig(domain)), contextFor(dns, readMailboxes));

describe('dmarc.record', () => {
  it('passes a single valid record, with every other check passing for a strict policy', async () => {
    const domain = zone('v=DMARC1; p=reject; sp=reject; adkim=r; aspf=r; fo=1; rua=mailto:dmarc@example.com');
    const results = await run(domain);
    assert.deepEqual(statuses(results), { 'dmarc.record': 'pass', 'dmarc.tags': 'pass', 'dmarc.policy': 'pass', 'dmarc.alignment': 'pass', 'dmarc.rua': 'pass' });
    assert.match(only(results, 'dmarc.record').detail, /p=reject/);
  });

  it('fails without a record; the fix is a record to publish with our rua', async () => {
    const domain = `none.d${++n}.example.org`;
    const results = await run(domain);
    assert.equal(results.length, 1);
    const r = only(results, 'dmarc.record');
    assert.equal(r.status, 'fail');
    const record = parseZoneTxt(r.fix?.split('\n')[1] ?? '');
    assert.deepEqual(record, { name: `_dmarc.${domain}`, value: 'v=DMARC1; p=none; rua=mailto:dmarc@example.com' });
  });

  it('fails with two v=DMARC1 records (RFC 7489 §6.6.3), and ignores TXT records that are not DMARC', async () => {
    const two = await run(zone(['v=DMARC1; p=none', 'v=DMARC1; p=reject']));
    assert.equal(only(two, 'dmarc.record').status, 'fail');
    assert.match(only(two, 'dmarc.record').detail, /2 DMARC records/);
    const other = await run(zone(['google-site-verification=abc', 'v=DMARC1; p=reject; rua=mailto:dmarc@example.com']));
    assert.equal(only(other, 'dmarc.record').status, 'pass');
  });

  it('fails a record whose v= is not first or whose p= is missing or invalid', async () => {
    for (const text of ['p=reject; v=DMARC1', 'v=DMARC1; rua=mailto:dmarc@example.com', 'v=DMARC1; p=block']) {
      const results = await run(zone(text));
      assert.equal(only(results, 'dmarc.record').status, 'fail', text);
    }
  });

  it('a subdomain without a record is covered by the organisational domain', async () => {
    dns.set('_dmarc.example.net', { TXT: ['v=DMARC1; p=quarantine; sp=reject; rua=mailto:dmarc@example.com'] });
    const results = await run('mail.example.net');
    assert.equal(only(results, 'dmarc.record').status, 'pass');
    assert.match(only(results, 'dmarc.record').detail, /organisational domain's record applies \(_dmarc\.example\.net/);
    // sp= is what applies to the subdomain.
    assert.equal(only(results, 'dmarc.policy').status, 'pass');
    assert.match(only(results, 'dmarc.policy').detail, /sp=reject/);
  });

  it('an inherited record applies sp= to a subdomain and np= to one that does not exist (RFC 9989 §4.10.1)', async () => {
    dns.set('_dmarc.example.info', { TXT: ['v=DMARC1; p=reject; sp=none; np=reject; rua=mailto:dmarc@example.com'] });
    dns.set('shop.example.info', { A: ['192.0.2.80'] });
    const existing = only(await run('shop.example.info'), 'dmarc.policy');
    assert.equal(existing.status, 'warn');
    assert.match(existing.detail, /\(sp= applies to shop\.example\.info\): monitoring only/);
    // The tag to tighten is sp=, at the organisational domain.
    assert.match(existing.fix ?? '', /publish sp=quarantine, then sp=reject:\n_dmarc\.example\.info\. IN TXT "v=DMARC1; p=reject; sp=quarantine; np=reject;/);
    // No A record and NXDOMAIN: np=reject applies.
    const before = dns.queries.length;
    assert.equal(only(await run('gone.example.info'), 'dmarc.policy').status, 'pass');
    assert.ok(dns.queries.slice(before).some((q) => q.name === 'gone.example.info' && q.type === 'A'), 'asked whether the subdomain exists');
  });

  it('walks the DNS tree as receivers do (RFC 9989 §4.10): an intermediate record, psd=n, psd=y, a long name cut to seven labels', async () => {
    const discover = (domain: string) => discoverDmarc(contextFor(dns).resolver, domain);
    const owner = (d: DmarcDiscovery) => (d.kind === 'found' ? [d.owner, d.via, d.applies] : [d.kind]);

    // Only _dmarc.team.walk.example has a record: one step up the PSL (walk.example) would find
    // nothing; the walk finds team.walk.example, the found record with the fewest labels.
    dns.set('_dmarc.team.walk.example', { TXT: ['v=DMARC1; p=quarantine; sp=reject'] });
    assert.deepEqual(owner(await discover('mail.team.walk.example')), ['team.walk.example', 'organisational', 'sp']);
    // With records at both, the one with fewer labels is the organisational domain.
    dns.set('_dmarc.walk.example', { TXT: ['v=DMARC1; p=none'] });
    assert.deepEqual(owner(await discover('mail.team.walk.example')), ['walk.example', 'organisational', 'p']);
    // psd=n ends the walk there: that name is the organisational domain.
    dns.set('_dmarc.corp.walk.example', { TXT: ['v=DMARC1; p=reject; psd=n'] });
    assert.deepEqual(owner(await discover('a.b.corp.walk.example')), ['corp.walk.example', 'organisational', 'p']);

    // A public suffix domain's policy (psd=y) covers a registered name without its own record.
    dns.set('_dmarc.suffix', { TXT: ['v=DMARC1; p=reject; psd=y'] });
    const viaPsd = await discover('shop.suffix');
    assert.deepEqual(owner(viaPsd), ['suffix', 'psd', 'p']);
    const check = only(await run('shop.suffix'), 'dmarc.record');
    assert.equal(check.status, 'pass');
    assert.match(check.detail, /no record at _dmarc\.shop\.suffix; the public suffix domain's record applies \(_dmarc\.suffix:/);
    // ... but the registered name's own organisational record wins over the PSD's.
    dns.set('_dmarc.own.suffix', { TXT: ['v=DMARC1; p=quarantine'] });
    assert.deepEqual(owner(await discover('www.own.suffix')), ['own.suffix', 'organisational', 'p']);

    // Nine labels: after the name itself the walk jumps to the last seven (step 4), never asking
    // the eight-label name.
    const before = dns.queries.length;
    assert.deepEqual(owner(await discover('a.b.c.d.e.f.g.long.example')), ['none']);
    const asked = dns.queries.slice(before).map((q) => q.name);
    assert.deepEqual(asked, ['_dmarc.a.b.c.d.e.f.g.long.example', '_dmarc.c.d.e.f.g.long.example', '_dmarc.d.e.f.g.long.example', '_dmarc.e.f.g.long.example', '_dmarc.f.g.long.example', '_dmarc.g.long.example', '_dmarc.long.example', '_dmarc.example']);
  });

  it('a DNS failure is a fail that says to retry, never a crash', async () => {
    const domain = `sf${++n}.example.com`;
    dns.set(`_dmarc.${domain}`, { servfail: true });
    const results = await run(domain);
    assert.equal(only(results, 'dmarc.record').status, 'fail');
    assert.match(only(results, 'dmarc.record').detail, /DNS temperror .*retry/);
  });
});

describe('dmarc.tags and dmarc.policy', () => {
  it('warns about invalid optional values and unknown tags', async () => {
    const results = await run(zone('v=DMARC1; p=reject; adkim=x; fo=2; pct=150; foo=bar; rua=mailto:dmarc@example.com'));
    const tags = only(results, 'dmarc.tags');
    assert.equal(tags.status, 'warn');
    for (const bit of ['adkim=x', 'fo=2', 'pct=150', 'unknown tag foo=']) assert.ok(tags.detail.includes(bit), bit);
  });

  it('warns about p=none, with the record to tighten to as the fix', async () => {
    const results = await run(zone('v=DMARC1; p=none; rua=mailto:dmarc@example.com'));
    const policy = only(results, 'dmarc.policy');
    assert.equal(policy.status, 'warn');
    assert.match(policy.fix ?? '', /"v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"/);
  });

  it('warns about t=y, pct below 100, and sp / np weaker than p', async () => {
    for (const [text, pattern] of [
      ['v=DMARC1; p=reject; t=y', /t=y/],
      ['v=DMARC1; p=quarantine; pct=20', /pct=20/],
      ['v=DMARC1; p=reject; sp=none', /sp weaker than p=reject/],
      ['v=DMARC1; p=reject; np=quarantine', /np weaker/],
    ] as const) {
      const policy = only(await run(zone(`${text}; rua=mailto:dmarc@example.com`)), 'dmarc.policy');
      assert.equal(policy.status, 'warn', text);
      assert.match(policy.detail, pattern);
    }
  });
});

describe('dmarc.alignment', () => {
  it('passes relaxed alignment for a key signing as the parent domain; fails it under adkim=s', async () => {
    const relaxed = zone('v=DMARC1; p=reject; rua=mailto:dmarc@example.com');
    const key = makeKey(relaxed, 's1', { signingDomain: 'example.com', via: 'parent', bits: 1024 });
    const ok = await checkDmarc(setupOf(domainConfig(relaxed), [key]), contextFor(dns));
    assert.equal(only(ok, 'dmarc.alignment').status, 'pass');
    const strict = zone('v=DMARC1; p=reject; adkim=s; rua=mailto:dmarc@example.com');
    const bad = await checkDmarc(setupOf(domainConfig(strict), [{ ...key, domain: strict }]), contextFor(dns));
    assert.equal(only(bad, 'dmarc.alignment').status, 'fail');
    assert.match(only(bad, 'dmarc.alignment').detail, /adkim=s/);
  });

  it('fails a key that signs as another organisational domain (a symlinked folder)', async () => {
    const domain = zone('v=DMARC1; p=reject; rua=mailto:dmarc@example.com');
    const key = makeKey(domain, 's1', { signingDomain: 'example.org', via: 'symlink', bits: 1024 });
    const results = await checkDmarc(setupOf(domainConfig(domain), [key]), contextFor(dns));
    assert.equal(only(results, 'dmarc.alignment').status, 'fail');
    assert.match(only(results, 'dmarc.alignment').fix ?? '', /ruaflow keygen/);
  });
});

describe('dmarc.rua and dmarc.rua_authorization', () => {
  it('warns when rua is absent, points elsewhere, or we cannot tell which mailbox we read', async () => {
    const absent = only(await run(zone('v=DMARC1; p=reject')), 'dmarc.rua');
    assert.equal(absent.status, 'warn');
    assert.match(absent.fix ?? '', /rua=mailto:dmarc@example.com/);
    const elsewhere = only(await run(zone('v=DMARC1; p=reject; rua=mailto:other@example.com')), 'dmarc.rua');
    assert.equal(elsewhere.status, 'warn');
    assert.match(elsewhere.fix ?? '', /rua=mailto:other@example.com,mailto:dmarc@example.com/);
    const unknown = only(await run(zone('v=DMARC1; p=reject; rua=mailto:dmarc@example.com'), []), 'dmarc.rua');
    assert.equal(unknown.status, 'warn');
    assert.match(unknown.fix ?? '', /\[imap\] user/);
  });

  it('passes a rua with a size limit and upper-case address that is our mailbox', async () => {
    const rua = only(await run(zone('v=DMARC1; p=reject; rua=mailto:DMARC@example.com!10m')), 'dmarc.rua');
    assert.equal(rua.status, 'pass');
  });

  it('a rua at another organisational domain needs <domain>._report._dmarc.<host> (RFC 7489 §7.1)', async () => {
    const authorised = zone('v=DMARC1; p=reject; rua=mailto:dmarc@example.com,mailto:reports@reports.example.net', {
      'DOMAIN._report._dmarc.reports.example.net': ['v=DMARC1'],
    });
    const ok = only(await run(authorised), 'dmarc.rua_authorization');
    assert.equal(ok.status, 'pass');
    const missing = zone('v=DMARC1; p=reject; rua=mailto:dmarc@example.com,mailto:reports@reports.example.net');
    const bad = only(await run(missing), 'dmarc.rua_authorization');
    assert.equal(bad.status, 'fail');
    assert.deepEqual(parseZoneTxt(bad.fix?.split('\n')[1] ?? ''), { name: `${missing}._report._dmarc.reports.example.net`, value: 'v=DMARC1' });
    // A rua inside our organisational domain needs no authorisation: no such check at all.
    assert.equal((await run(zone('v=DMARC1; p=reject; rua=mailto:dmarc@example.com'))).filter((r) => r.check === 'dmarc.rua_authorization').length, 0);
  });
});

describe('DMARC record parsing (pure)', () => {
  it('reads tags, rua addresses and flags', () => {
    const r = parseDmarcRecord('v=DMARC1;p=Quarantine;sp=reject;np=reject;adkim=s;aspf=r;t=y;rua=mailto:a@example.com,https://x.example');
    assert.deepEqual([r.p, r.sp, r.np, r.adkim, r.aspf, r.testing], ['quarantine', 'reject', 'reject', 's', 'r', true]);
    assert.deepEqual(r.rua.map((u) => u.address), ['a@example.com', null]);
    assert.equal(r.errors.length, 0);
    assert.equal(r.issues.length, 1);
  });

  it('reads a rua URI as the report sender does: hfields dropped, host lower-cased, a trailing dot gone', () => {
    const r = parseDmarcRecord('v=DMARC1; p=none; rua=mailto:Reports@Ex.Example.?subject=x!10m');
    assert.deepEqual(r.rua.map((u) => [u.address, u.host]), [['reports@ex.example', 'ex.example']]);
  });

  it('withTag replaces, adds and removes a tag, keeping the rest in place', () => {
    assert.equal(withTag('v=DMARC1; p=none; rua=mailto:a@b.c', 'p', 'reject'), 'v=DMARC1; p=reject; rua=mailto:a@b.c');
    assert.equal(withTag('v=DMARC1; p=none', 'sp', 'reject'), 'v=DMARC1; p=none; sp=reject');
    assert.equal(withTag('v=DMARC1; p=none; t=y', 't', null), 'v=DMARC1; p=none');
  });
});
