/**
 * DMARC through the real verifier and the loopback DNS server (RFC 9989): policy discovery by
 * tree walk, p / sp / np, t=y, strict and relaxed alignment for DKIM and SPF, several From
 * fields, several From domains, no From; the published policy and the disposition as recorded.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';
import { harness, type Harness } from './harness.js';
import { dkimZone, message, rsaKey, sign } from './support.js';

let dns: DnsServer;
let h: Harness;
const KEY = rsaKey(2048);

before(async () => {
  dns = await startDnsServer({
    // reject.example: p=reject, SPF allows 192.0.2.10
    'reject.example': { TXT: ['v=spf1 ip4:192.0.2.10 -all'], A: ['192.0.2.10'] },
    '_dmarc.reject.example': { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@reject.example'] },
    'quarantine.example': { A: ['192.0.2.20'] },
    '_dmarc.quarantine.example': { TXT: ['v=DMARC1; p=quarantine; rua=mailto:dmarc@quarantine.example'] },
    // org.example: p=reject, sp=quarantine, np=none for subdomains
    'org.example': { A: ['192.0.2.30'] },
    '_dmarc.org.example': { TXT: ['v=DMARC1; p=reject; sp=quarantine; np=none; adkim=r; aspf=r; fo=1; rua=mailto:agg@org.example'] },
    'exists.org.example': { A: ['192.0.2.31'] },
    // testing.example: p=reject with t=y
    'testing.example': { A: ['192.0.2.40'] },
    '_dmarc.testing.example': { TXT: ['v=DMARC1; p=reject; t=y; rua=mailto:dmarc@testing.example'] },
    // strict.example: adkim=s aspf=s; mail.strict.example signs and sends
    'strict.example': { A: ['192.0.2.50'] },
    '_dmarc.strict.example': { TXT: ['v=DMARC1; p=reject; adkim=s; aspf=s'] },
    'mail.strict.example': { TXT: ['v=spf1 ip4:192.0.2.10 -all'], A: ['192.0.2.51'] },
    ...dkimZone('mail.strict.example', 'k', KEY),
    // relaxed.example: the same shape with the default relaxed alignment
    'relaxed.example': { A: ['192.0.2.60'] },
    '_dmarc.relaxed.example': { TXT: ['v=DMARC1; p=reject'] },
    'mail.relaxed.example': { TXT: ['v=spf1 ip4:192.0.2.10 -all'], A: ['192.0.2.61'] },
    ...dkimZone('mail.relaxed.example', 'k', KEY),
    'nodmarc.example': { TXT: ['v=spf1 -all'], A: ['192.0.2.70'] },
    // HELO names with their own SPF record (RFC 7208 §2.3), for bounces (null MAIL FROM)
    'mx.reject.example': { TXT: ['v=spf1 ip4:192.0.2.10 -all'], A: ['192.0.2.10'] },
    'mx.spoofer.test': { TXT: ['v=spf1 ip4:203.0.113.9 -all'], A: ['203.0.113.9'] },
  });
  h = harness(dns);
});
after(async () => {
  h.close();
  await dns.stop();
});

const row = (id: number) => h.db.prepare('SELECT * FROM evaluations WHERE id = ?').get(id) as Record<string, unknown>;
const reasons = (id: number) => h.db.prepare('SELECT type, comment FROM evaluation_reasons WHERE evaluation_id = ? ORDER BY n').all(id) as { type: string; comment: string }[];

// A message from `from` sent by an IP no SPF record allows, unsigned: DMARC fails.
const spoof = (from: string) => h.verify(message({ from }), { ip: '203.0.113.9', helo: 'spoofer.test', mailFrom: 'x@spoofer.test' });

describe('DMARC policy (RFC 9989)', () => {
  it('p=reject: an unauthenticated message is rejected, and the record is stored as published', async () => {
    const { evaluation, id } = await spoof('ceo@reject.example');
    assert.equal(evaluation.auth.dmarc.result, 'fail');
    assert.equal(evaluation.verdict.decision, 'reject');
    const r = row(id);
    assert.equal(r['dmarc_result'], 'fail');
    assert.equal(r['policy_domain'], 'reject.example');
    assert.equal(r['discovery_method'], 'treewalk');
    assert.equal(r['p'], 'reject');
    assert.equal(r['rua'], 'mailto:dmarc@reject.example');
    assert.equal(r['disposition'], 'reject');
    assert.equal(r['decision'], 'reject');
    assert.equal(r['header_from'], 'reject.example');
    assert.equal(r['spf_result'], 'none');
    assert.match(evaluation.authenticationResults, /dmarc=fail \(p=REJECT\) header\.from=reject\.example polrec\.p=reject/);
  });

  it('p=reject: a message that passes SPF aligned is accepted with disposition pass', async () => {
    const { evaluation, id } = await h.verify(message({ from: 'ceo@reject.example' }), { ip: '192.0.2.10', mailFrom: 'bounce@reject.example' });
    assert.equal(evaluation.auth.spf.result, 'pass');
    assert.equal(evaluation.auth.dmarc.result, 'pass');
    assert.equal(evaluation.verdict.decision, 'accept');
    assert.equal(row(id)['disposition'], 'pass');
    assert.equal(row(id)['spf_aligned'], 'pass');
  });

  it('p=quarantine quarantines', async () => {
    const { evaluation, id } = await spoof('news@quarantine.example');
    assert.equal(evaluation.verdict.decision, 'quarantine');
    assert.equal(row(id)['disposition'], 'quarantine');
  });

  it('sp applies to an existing subdomain, np to one that does not exist (RFC 9989 §4.7)', async () => {
    const existing = await spoof('a@exists.org.example');
    assert.equal(existing.evaluation.dmarcPolicy.tag, 'sp');
    assert.equal(existing.evaluation.verdict.decision, 'quarantine');
    const r = row(existing.id);
    assert.equal(r['policy_domain'], 'org.example');
    assert.deepEqual([r['p'], r['sp'], r['np'], r['adkim'], r['aspf'], r['fo']], ['reject', 'quarantine', 'none', 'r', 'r', '1']);

    const missing = await spoof('a@nowhere.org.example');
    assert.equal(missing.evaluation.auth.dmarc.authorDomainExists, false);
    assert.equal(missing.evaluation.dmarcPolicy.tag, 'np');
    assert.equal(missing.evaluation.verdict.decision, 'accept');
    assert.equal(row(missing.id)['disposition'], 'none');

    const org = await spoof('a@org.example');
    assert.equal(org.evaluation.dmarcPolicy.tag, 'p');
    assert.equal(org.evaluation.verdict.decision, 'reject');
  });

  it('t=y applies the policy one level weaker and records policy_test_mode', async () => {
    const { evaluation, id } = await spoof('a@testing.example');
    assert.equal(evaluation.dmarcPolicy.requested, 'reject');
    assert.equal(evaluation.dmarcPolicy.applied, 'quarantine');
    assert.equal(evaluation.verdict.decision, 'quarantine');
    assert.equal(row(id)['testing'], 'y');
    assert.equal(row(id)['disposition'], 'quarantine');
    assert.deepEqual(
      reasons(id).map((r) => r.type),
      ['policy_test_mode'],
    );
  });

  it('adkim=s: a signature of a subdomain does not align; relaxed alignment accepts it', async () => {
    const strict = await h.verify(await sign(message({ from: 'a@strict.example' }), [{ domain: 'mail.strict.example', selector: 'k', key: KEY }]), {
      ip: '203.0.113.9',
      mailFrom: 'x@spoofer.test',
    });
    assert.equal(strict.evaluation.auth.dkim[0]?.result, 'pass');
    assert.equal(strict.evaluation.auth.dkim[0]?.aligned, false);
    assert.equal(strict.evaluation.auth.dmarc.result, 'fail');
    assert.equal(strict.evaluation.verdict.decision, 'reject');
    assert.equal(row(strict.id)['dkim_aligned'], 'fail');
    assert.equal(h.db.prepare('SELECT aligned FROM evaluation_dkim WHERE evaluation_id = ?').pluck().get(strict.id), 0);

    const relaxed = await h.verify(await sign(message({ from: 'a@relaxed.example' }), [{ domain: 'mail.relaxed.example', selector: 'k', key: KEY }]), {
      ip: '203.0.113.9',
      mailFrom: 'x@spoofer.test',
    });
    assert.equal(relaxed.evaluation.auth.dkim[0]?.aligned, true);
    assert.equal(relaxed.evaluation.auth.dmarc.result, 'pass');
    assert.equal(relaxed.evaluation.verdict.decision, 'accept');
    assert.equal(row(relaxed.id)['dkim_aligned'], 'pass');
  });

  it('aspf=s: SPF for a subdomain does not align; relaxed alignment accepts it', async () => {
    const strict = await h.verify(message({ from: 'a@strict.example' }), { ip: '192.0.2.10', mailFrom: 'bounce@mail.strict.example' });
    assert.equal(strict.evaluation.auth.spf.result, 'pass');
    assert.equal(strict.evaluation.auth.dmarc.spfAligned, false);
    assert.equal(strict.evaluation.verdict.decision, 'reject');

    const relaxed = await h.verify(message({ from: 'a@relaxed.example' }), { ip: '192.0.2.10', mailFrom: 'bounce@mail.relaxed.example' });
    assert.equal(relaxed.evaluation.auth.dmarc.spfAligned, true);
    assert.equal(relaxed.evaluation.verdict.decision, 'accept');
  });

  it('a bounce (null MAIL FROM) passes DMARC on the SPF of an aligned HELO name (RFC 7208 §2.4, RFC 9989 §4.4)', async () => {
    const { evaluation, id } = await h.verify(message({ from: 'MAILER-DAEMON@reject.example' }), { ip: '192.0.2.10', helo: 'mx.reject.example', mailFrom: '<>' });
    assert.deepEqual([evaluation.auth.spf.scope, evaluation.auth.spf.domain, evaluation.auth.spf.result], ['helo', 'mx.reject.example', 'pass']);
    assert.equal(evaluation.auth.dmarc.result, 'pass');
    assert.equal(evaluation.auth.dmarc.spfAligned, true);
    assert.equal(evaluation.verdict.decision, 'accept');
    assert.equal(row(id)['spf_aligned'], 'pass');
    assert.equal(row(id)['disposition'], 'pass');
    assert.match(evaluation.authenticationResults, /; spf=pass smtp\.helo=mx\.reject\.example; dkim=none \(message not signed\); dmarc=pass \(p=REJECT\) header\.from=reject\.example polrec\.p=reject; arc=none$/);

    // The HELO name must align: a bounce whose HELO passes SPF for another domain still fails.
    const foreign = await h.verify(message({ from: 'MAILER-DAEMON@reject.example' }), { ip: '203.0.113.9', helo: 'mx.spoofer.test', mailFrom: '' });
    assert.equal(foreign.evaluation.auth.spf.result, 'pass');
    assert.equal(foreign.evaluation.auth.dmarc.result, 'fail');
    assert.equal(foreign.evaluation.auth.dmarc.spfAligned, false);
    assert.equal(foreign.evaluation.verdict.decision, 'reject');

    // With a MAIL FROM, the HELO identity counts for nothing (RFC 9989 §4.4: the MAIL FROM domain).
    const withSender = await h.verify(message({ from: 'ceo@reject.example' }), { ip: '192.0.2.10', helo: 'mx.reject.example', mailFrom: 'x@spoofer.test' });
    assert.equal(withSender.evaluation.auth.dmarc.result, 'fail');
  });

  it('no DMARC record: dmarc=none, nothing applied', async () => {
    const { evaluation, id } = await spoof('a@nodmarc.example');
    assert.equal(evaluation.auth.dmarc.result, 'none');
    assert.equal(evaluation.verdict.decision, 'accept');
    assert.equal(row(id)['policy_domain'], null);
    assert.equal(row(id)['disposition'], 'none');
  });

  it('several From fields, several From domains and no From cannot be evaluated (RFC 9989 §5.3.1)', async () => {
    const twoFields = await h.verify(message({ from: ['a@reject.example', 'b@reject.example'] }), { ip: '203.0.113.9', mailFrom: 'x@spoofer.test' });
    assert.equal(twoFields.evaluation.auth.dmarc.result, 'permerror');
    assert.match(twoFields.evaluation.auth.dmarc.comment ?? '', /2 From header fields/);
    assert.equal(row(twoFields.id)['header_from'], null);
    assert.equal(row(twoFields.id)['header_from_count'], 2);

    const twoDomains = await h.verify(message({ from: 'a@reject.example, b@quarantine.example' }), { ip: '203.0.113.9', mailFrom: 'x@spoofer.test' });
    assert.equal(twoDomains.evaluation.auth.dmarc.result, 'permerror');
    assert.equal(row(twoDomains.id)['header_from'], null);
    assert.equal(row(twoDomains.id)['header_from_count'], 2);

    const none = await h.verify(message({ from: null }), { ip: '203.0.113.9', mailFrom: 'x@spoofer.test' });
    assert.equal(none.evaluation.auth.dmarc.result, 'permerror');
    assert.equal(row(none.id)['header_from'], null);
    assert.equal(row(none.id)['header_from_count'], 0);
    assert.match(none.evaluation.authenticationResults, /dmarc=permerror reason="no From address"/);
  });

  it('records the envelope: recipients, HELO, MAIL FROM and its domain, the source IP in binary', async () => {
    const { id } = await h.verify(message({ from: 'ceo@reject.example' }), {
      ip: '2001:DB8:0:0::25',
      helo: 'mx.sender.test',
      mailFrom: 'bounce@reject.example',
      rcpt: ['one@receiver.example', '<two@other.example>'],
    });
    const r = row(id);
    assert.equal(r['source_ip'], '2001:db8::25');
    assert.equal((r['ip_bin'] as Buffer).toString('hex'), '20010db8000000000000000000000025');
    assert.equal(r['helo'], 'mx.sender.test');
    assert.equal(r['envelope_from_domain'], 'reject.example');
    assert.equal(r['evaluated_at'], 1_800_000_000);
    assert.deepEqual(h.db.prepare('SELECT address, domain FROM evaluation_recipients WHERE evaluation_id = ? ORDER BY n').all(id), [
      { address: 'one@receiver.example', domain: 'receiver.example' },
      { address: 'two@other.example', domain: 'other.example' },
    ]);
  });
});

describe('DNS failures', () => {
  it('a DKIM key lookup that times out makes DMARC temperror, not fail: deferred, not rejected', async () => {
    dns.set('k._domainkey.reject.example', { silent: true });
    const slow = harness(dns, { timeoutMs: 300 });
    try {
      const signed = await sign(message({ from: 'ceo@reject.example' }), [{ domain: 'reject.example', selector: 'k', key: KEY }]);
      // SPF fails (a foreign IP), the only signature cannot be checked: DMARC cannot conclude.
      const { evaluation } = await slow.verify(signed, { ip: '203.0.113.9', mailFrom: 'x@spoofer.test' });
      assert.equal(evaluation.auth.dkim[0]?.result, 'temperror');
      assert.equal(evaluation.auth.dmarc.result, 'temperror');
      assert.match(evaluation.auth.dmarc.comment ?? '', /DKIM lookup failed temporarily/);
      assert.equal(evaluation.verdict.decision, 'defer');
    } finally {
      slow.close();
    }
  });

  it('a timing-out signature whose d= can never align does not turn a reject into a defer', async () => {
    dns.set('k._domainkey.attacker.example', { silent: true });
    const slow = harness(dns, { timeoutMs: 300 });
    try {
      const signed = await sign(message({ from: 'ceo@reject.example' }), [{ domain: 'attacker.example', selector: 'k', key: KEY }]);
      const { evaluation } = await slow.verify(signed, { ip: '203.0.113.9', mailFrom: 'x@spoofer.test' });
      assert.equal(evaluation.auth.dkim[0]?.result, 'temperror');
      assert.equal(evaluation.auth.dmarc.result, 'fail');
      assert.equal(evaluation.verdict.decision, 'reject');
    } finally {
      slow.close();
    }
  });

  it('an unreachable DNS server gives temperror within a bounded time, and the message is deferred', async () => {
    const dead = await startDnsServer({});
    const port = dead.port;
    await dead.stop(); // nothing listens there any more
    // A server that never answers these names, and a port where nothing listens.
    const silent = await startDnsServer({
      'reject.example': { silent: true },
      '_dmarc.reject.example': { silent: true },
      'k._domainkey.reject.example': { silent: true },
    });
    try {
      for (const server of [{ server: `127.0.0.1:${port}` }, silent]) {
        const unreachable = harness({ ...silent, server: server.server }, { timeoutMs: 400 });
        try {
          const started = performance.now();
          const signed = await sign(message({ from: 'ceo@reject.example' }), [{ domain: 'reject.example', selector: 'k', key: KEY }]);
          const { evaluation, id } = await unreachable.verify(signed, { mailFrom: 'bounce@reject.example' });
          const ms = performance.now() - started;
          assert.ok(ms < 8000, `took ${Math.round(ms)} ms`);
          assert.equal(evaluation.auth.spf.result, 'temperror');
          assert.equal(evaluation.auth.dkim[0]?.result, 'temperror');
          assert.equal(evaluation.auth.dmarc.result, 'temperror');
          assert.equal(evaluation.verdict.decision, 'defer');
          assert.equal((unreachable.db.prepare('SELECT decision FROM evaluations WHERE id = ?').pluck().get(id)), 'defer');
        } finally {
          unreachable.close();
        }
      }
    } finally {
      await silent.stop();
    }
  });
});
