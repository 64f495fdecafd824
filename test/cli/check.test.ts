/**
 * `ruaflow check` end to end (each check's verdict is tested on the job in
 * test/jobs/check.test.ts): the real CLI, a real key folder in the qpsmtpd layout, a temp
 * configuration pointing `[dns] servers` at a loopback DNS server (test/helpers/check-setup.ts).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { publicKeyForDns } from '../../src/mail/dkim-key.js';
import { ruaflow } from '../helpers/cli.js';
import { assertGoodSetup, CHECK_DOMAIN, startCheckSetup, type CheckJson, type CheckSetup } from '../helpers/check-setup.js';

let setup: CheckSetup;
before(async () => {
  setup = await startCheckSetup('ruaflow-check-');
});
after(() => setup.stop());

describe('ruaflow check', () => {
  it('a good setup: exit 0, --json lists every check with status, detail and fix', async () => {
    setup.resetZone();
    const config = setup.writeConfig('good.toml', CHECK_DOMAIN);
    const r = await ruaflow(['check', '--config', config, '--json'], { cwd: setup.dir });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const json = JSON.parse(r.stdout) as CheckJson;
    assertGoodSetup(json);
  });

  it('text output: one line per check, grouped per domain, fixes indented below warnings and failures', async () => {
    setup.dns.set('_dmarc.example.com', { TXT: ['v=DMARC1; p=none; rua=mailto:dmarc@example.com'] });
    const r = await ruaflow(['check', '--config', setup.writeConfig('text.toml', CHECK_DOMAIN)], { cwd: setup.dir });
    setup.resetZone();
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'example.com');
    const policy = lines.findIndex((l) => /^ {2}WARN {2}dmarc\.policy +p=none/.test(l));
    assert.ok(policy > 0, r.stdout);
    assert.match(lines[policy + 1] ?? '', /^ {8}once the reports show/);
    assert.match(lines[policy + 2] ?? '', /^ {8}_dmarc\.example\.com\. IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@example\.com"$/);
    assert.ok(lines.some((l) => /^ {2}PASS {2}dkim\.selftest +a message signed with .* verifies/.test(l)));
    assert.match(r.stdout, /\d+ pass, 1 warn, 0 fail/);
  });

  it('a broken setup: exit 5, the failing checks named, each with a fix', async () => {
    setup.dns.set('example.com', { TXT: ['v=spf1 ip4:192.0.2.99 -all'] });
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    setup.dns.set('may2013._domainkey.example.com', { TXT: [`v=DKIM1; k=rsa; p=${publicKeyForDns(other)}`] });
    const r = await ruaflow(['check', '--config', setup.writeConfig('broken.toml', CHECK_DOMAIN), '--json'], { cwd: setup.dir });
    setup.resetZone();
    assert.equal(r.code, 5, r.stderr);
    const json = JSON.parse(r.stdout) as CheckJson;
    assert.equal(json.ok, false);
    const failed = json.domains[0]?.checks.filter((c) => c.status === 'fail') ?? [];
    assert.deepEqual([...new Set(failed.map((c) => c.check))].sort(), ['dkim.key_match', 'spf.relay']);
    for (const c of failed) assert.ok(c.fix !== null && c.fix.length > 0, c.check);
  });

  it('configuration problems are exit 2 with one line naming the key or file', async () => {
    const none = await ruaflow(['check', '--config', setup.writeConfig('empty.toml', '')], { cwd: setup.dir });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no \[\[domains\]\] in .*empty\.toml/);
    const unknown = await ruaflow(['check', '--config', setup.writeConfig('typo.toml', `${CHECK_DOMAIN}relay = ["192.0.2.1"]\n`)], { cwd: setup.dir });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /relay/);
    const nokey = await ruaflow(['check', '--config', setup.writeConfig('nokey.toml', '[[domains]]\nname = "example.com"\nkeys = [{ selector = "s1", private_key_file = "missing.pem" }]\n')], { cwd: setup.dir });
    assert.equal(nokey.code, 2);
    assert.match(nokey.stderr, /private_key_file: cannot read .*missing\.pem/);
    const usage = await ruaflow(['check', '--frob'], { cwd: setup.dir });
    assert.equal(usage.code, 2);
    assert.equal(usage.stderr.split('\n').filter((l) => l !== '').length, 1);
  });
});
