/**
 * `ruaflow keygen` end to end (what the key folder holds when it exists already, without
 * configuration, or behind a symlink: test/jobs/keygen.test.ts): the real CLI writes the key folder; the records it prints are
 * loaded into a loopback DNS server as printed (255-character strings and all); a message signed
 * with the written private key verifies against them through node's resolver; and
 * `ruaflow check` on that zone passes.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ruaflow } from '../helpers/cli.js';
import { startKeygenSetup, type KeygenSetup } from '../helpers/keygen-setup.js';

let setup: KeygenSetup;
before(async () => {
  setup = await startKeygenSetup('ruaflow-keygen-');
});
after(() => setup.stop());

/** A working folder with a configuration naming the domain's relays and our rua mailbox. */
function workspace(name: string, domain: string): { cwd: string; config: string } {
  const { cwd, configFile } = setup.workspace(name, domain);
  return { cwd, config: configFile };
}

/** Every `name. IN TXT "…" "…"` record of the output, with its character-strings kept apart. */
function printedRecords(text: string): { name: string; strings: string[] }[] {
  return [...text.matchAll(/^(\S+)\. IN TXT (.*)$/gm)].map((m) => ({
    name: m[1] ?? '',
    strings: [...(m[2] ?? '').matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((s) => (s[1] ?? '').replace(/\\(.)/g, '$1')),
  }));
}

describe('ruaflow keygen', () => {
  it('writes the qpsmtpd layout, prints records that verify a signed message, and check passes on them', async () => {
    const { cwd, config } = workspace('rsa', 'example.com');
    const month = () => `s${new Date().toISOString().slice(0, 7).replace('-', '')}`;
    const monthBefore = month();
    const r = await ruaflow(['keygen', 'example.com', '--config', config], { cwd });
    assert.equal(r.code, 0, r.stderr);
    const folder = join(cwd, 'keys', 'example.com');
    const selector = readFileSync(join(folder, 'selector'), 'utf8').trim();
    // s<YYYYMM> of the run (either side of a month boundary).
    assert.ok([monthBefore, month()].includes(selector), selector);
    assert.equal(statSync(join(folder, 'private')).mode & 0o777, 0o600);
    assert.match(readFileSync(join(folder, 'public'), 'utf8'), /^-----BEGIN PUBLIC KEY-----/);
    const dnsFile = readFileSync(join(folder, 'dns'), 'utf8');
    assert.ok(r.stdout.includes(dnsFile));

    const records = printedRecords(r.stdout);
    assert.deepEqual(records.map((x) => x.name), [`${selector}._domainkey.example.com`, 'example.com', '_dmarc.example.com']);
    const dkim = records[0]!;
    assert.ok(dkim.strings.length >= 2 && dkim.strings.every((s) => s.length <= 255), 'a 2048-bit key is split into 255-character strings');
    assert.equal(records[1]!.strings.join(''), 'v=spf1 ip4:192.0.2.10 ip6:2001:db8::/48 -all');
    assert.equal(records[2]!.strings.join(''), 'v=DMARC1; p=none; rua=mailto:dmarc@example.com');
    for (const record of records) setup.dns.set(record.name, { TXT: [record.strings] });

    assert.equal(await setup.signAndVerify(readFileSync(join(folder, 'private'), 'utf8'), 'example.com', selector), 'pass');

    const check = await ruaflow(['check', '--config', config, '--json'], { cwd });
    assert.equal(check.code, 0, check.stdout);
    const json = JSON.parse(check.stdout) as { ok: boolean; domains: { checks: { check: string; status: string }[] }[] };
    const checks = json.domains[0]?.checks ?? [];
    assert.deepEqual(checks.filter((c) => c.status !== 'pass').map((c) => `${c.check}:${c.status}`), ['dmarc.policy:warn']);
    assert.ok(checks.some((c) => c.check === 'dkim.selftest' && c.status === 'pass'));

    // Corrupt the published key: check now fails the DKIM checks (exit 5).
    setup.dns.set(`${selector}._domainkey.example.com`, { TXT: ['v=DKIM1; k=rsa; p='] });
    const broken = await ruaflow(['check', '--config', config, '--json'], { cwd });
    assert.equal(broken.code, 5);
    assert.match(broken.stdout, /"check":"dkim\.record","status":"fail","detail":"[^"]*revoked/);
  });

  it('ed25519 (RFC 8463) with --json and --dir: k=ed25519, a raw 32-byte p=, and it verifies', async () => {
    const { cwd } = workspace('ed', 'example.net');
    const r = await ruaflow(['keygen', 'example.net', '--type', 'ed25519', '--selector', 'ed1', '--dir', 'elsewhere', '--json'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { selector: string; type: string; bits: number; files: { private: string }; records: { kind: string; name: string; value: string }[] };
    assert.deepEqual([json.selector, json.type, json.bits], ['ed1', 'ed25519', 256]);
    assert.equal(json.files.private, join(cwd, 'elsewhere', 'example.net', 'private'));
    const dkim = json.records.find((x) => x.kind === 'dkim');
    assert.equal(dkim?.name, 'ed1._domainkey.example.net');
    const p = /p=([^;]+)$/.exec(dkim?.value ?? '')?.[1] ?? '';
    assert.match(dkim?.value ?? '', /^v=DKIM1; k=ed25519; p=/);
    assert.equal(Buffer.from(p, 'base64').length, 32);
    // The workspace's configuration names example.net's relays: the SPF suggestion lists them.
    assert.equal(json.records.find((x) => x.kind === 'spf')?.value, 'v=spf1 ip4:192.0.2.10 ip6:2001:db8::/48 -all');
    setup.dns.set(dkim!.name, { TXT: [dkim!.value] });
    assert.equal(await setup.signAndVerify(readFileSync(json.files.private, 'utf8'), 'example.net', 'ed1'), 'pass');
  });

  it('usage errors: exit 2, one line, nothing written', async () => {
    const cwd = join(setup.dir, 'usage');
    mkdirSync(cwd);
    for (const [args, pattern] of [
      [['keygen'], /expected a DOMAIN/],
      [['keygen', 'not a domain'], /is not a domain name/],
      [['keygen', 'example.com', '--bits', '512'], /--bits 512: expected 1024-8192/],
      [['keygen', 'example.com', '--type', 'dsa'], /--type "dsa": expected rsa or ed25519/],
      [['keygen', 'example.com', '--type', 'ed25519', '--bits', '2048'], /--bits applies to rsa keys/],
      [['keygen', 'example.com', '--selector', 'bad selector'], /is not a DNS label/],
    ] as const) {
      const r = await ruaflow([...args], { cwd });
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
    assert.equal(existsSync(join(cwd, 'dkim')), false);
  });

});
