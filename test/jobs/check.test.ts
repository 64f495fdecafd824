/**
 * The check job called directly: a real key folder in the qpsmtpd layout, a temp configuration
 * pointing `[dns] servers` at a loopback DNS server (both from test/helpers/check-setup.ts).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/app/config.js';
import { dnsResolver } from '../../src/app/deps.js';
import { loadSigningKeys } from '../../src/app/signing-keys.js';
import { checksJson } from '../../src/deliver/check-text.js';
import { runChecks } from '../../src/jobs/check.js';
import { publicKeyForDns } from '../../src/mail/dkim-key.js';
import { systemClock } from '../../src/ports/clock.js';
import { assertGoodSetup, CHECK_DOMAIN, startCheckSetup, type CheckJson, type CheckSetup } from '../helpers/check-setup.js';

let setup: CheckSetup;
before(async () => {
  setup = await startCheckSetup('ruaflow-check-job-');
});
after(() => setup.stop());

/** runChecks as `ruaflow check --json` calls it, as the JSON it prints. */
async function check(file: string, domain?: string): Promise<CheckJson> {
  const config = await loadConfig({ configPath: file, env: {}, cwd: setup.dir });
  const domains = await runChecks({ config, keys: loadSigningKeys(config), resolver: dnsResolver(config), clock: systemClock }, { domain });
  return checksJson(domains) as CheckJson;
}

describe('runChecks', () => {
  it('a good setup: exit 0, --json lists every check with status, detail and fix', async () => {
    setup.resetZone();
    const config = setup.writeConfig('good.toml', CHECK_DOMAIN);
    const json = await check(config);
    assertGoodSetup(json);
  });

  it('a broken setup: exit 5, the failing checks named, each with a fix', async () => {
    setup.dns.set('example.com', { TXT: ['v=spf1 ip4:192.0.2.99 -all'] });
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    setup.dns.set('may2013._domainkey.example.com', { TXT: [`v=DKIM1; k=rsa; p=${publicKeyForDns(other)}`] });
    const json = await check(setup.writeConfig('broken.toml', CHECK_DOMAIN));
    setup.resetZone();
    assert.equal(json.ok, false);
    const failed = json.domains[0]?.checks.filter((c) => c.status === 'fail') ?? [];
    assert.deepEqual([...new Set(failed.map((c) => c.check))].sort(), ['dkim.key_match', 'spf.relay']);
    for (const c of failed) assert.ok(c.fix !== null && c.fix.length > 0, c.check);
  });

  it('--domain checks one domain, also one that is not configured', async () => {
    const json = await check(setup.writeConfig('one.toml', CHECK_DOMAIN), 'other.example.net');
    assert.equal(json.ok, false);
    assert.deepEqual(json.domains.map((d) => d.domain), ['other.example.net']);
    assert.deepEqual(
      json.domains[0]?.checks.map((c) => [c.check, c.status]),
      [
        ['dmarc.record', 'fail'],
        ['spf.record', 'fail'],
        ['dkim.keys', 'warn'],
      ],
    );
  });

  it('an unreachable DNS server is a failed check that says to retry, not a crash', async () => {
    const config = join(setup.dir, 'nodns.toml');
    writeFileSync(config, `[dns]\nservers = ["127.0.0.1:9"]\ntimeout_ms = 300\n\n${CHECK_DOMAIN}`);
    const json = await check(config);
    assert.equal(json.ok, false);
    assert.match(json.domains[0]?.checks.find((c) => c.check === 'dmarc.record')?.detail ?? '', /DNS temperror .*retry/);
  });


  it('no [[domains]] and no domain asked for is a usage error naming the file', async () => {
    await assert.rejects(check(setup.writeConfig('none.toml', '')), /check: no \[\[domains\]\] in .*none\.toml/);
  });
});
