/**
 * The delivery-time integrations of docs/verifying-mail.md, run by the real tools: its Sieve
 * script in Dovecot Pigeonhole's `sieve-test`, and its procmail recipes in procmail (as a delivery
 * agent runs them, `procmail -m RCFILE`), the second one calling the real CLI against the loopback
 * DNS server. The scripts are taken from the page as printed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ruaflowBin } from '../helpers/cli.js';
import { docBlock } from '../helpers/doc-block.js';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';
import { dkimZone, message, rsaKey, sign } from './support.js';

const KEY = rsaKey(2048);
/** Dovecot refuses mail access as root: sieve-test then runs as nobody. */
const NOBODY = 65534;

let dns: DnsServer;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ruaflow-delivery-'));
  chmodSync(dir, 0o755);
  dns = await startDnsServer({
    'example.com': { TXT: ['v=spf1 ip4:192.0.2.10 -all'], A: ['192.0.2.10'] },
    '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject'] },
    ...dkimZone('example.com', 'k', KEY),
    'shop.example': { TXT: ['v=spf1 ip4:192.0.2.20 -all'], A: ['192.0.2.20'] },
    '_dmarc.shop.example': { TXT: ['v=DMARC1; p=quarantine'] },
  });
});

after(async () => {
  await dns.stop();
  rmSync(dir, { recursive: true, force: true });
});

function run(command: string, args: readonly string[], options: { input: string; env?: NodeJS.ProcessEnv; cwd?: string }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? dir, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', (error) => reject(new Error(`${command} could not run (install dovecot-sieve and procmail): ${error.message}`)));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input);
  });
}

const withHeader = (decision: string): string => `X-Ruaflow-Decision: ${decision}\r\n${message()}`;

describe('the documented Sieve script, in Pigeonhole sieve-test', () => {
  it('files a quarantined message into Junk and keeps the others in INBOX', async () => {
    const script = join(dir, 'ruaflow.sieve');
    writeFileSync(script, docBlock('verifying-mail.md', '**Sieve** (Dovecot Pigeonhole)', 'sieve'), { mode: 0o644 });
    const test = async (decision: string): Promise<string> => {
      const file = join(dir, `${decision}.eml`);
      writeFileSync(file, withHeader(`${decision}; reason="test"`), { mode: 0o644 });
      const root = userInfo().uid === 0;
      const args = [...(root ? ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', 'sieve-test'] : []), script, file];
      const r = await run(root ? 'setpriv' : 'sieve-test', args, { input: '', env: { ...process.env, HOME: dir } });
      assert.equal(r.code, 0, r.stderr);
      return r.stdout;
    };
    assert.match(await test('quarantine'), /store message in folder: Junk/);
    const kept = await test('accept');
    assert.doesNotMatch(kept, /folder: Junk/);
    assert.match(kept, /store message in folder: INBOX/);
  });
});

describe('the documented procmail recipes, in procmail', () => {
  const maildir = (): string => join(dir, 'Maildir');
  const files = (folder: string): string[] => {
    try {
      return readdirSync(join(folder, 'new'));
    } catch {
      return [];
    }
  };

  before(() => {
    mkdirSync(maildir());
    // `ruaflow` on the PATH, as installed, and its configuration where the recipe says.
    writeFileSync(join(dir, 'ruaflow.toml'), `[dns]\nservers = ["${dns.server}"]\ntimeout_ms = 1500\n`);
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    ruaflowBin(bin);
    writeFileSync(
      join(dir, 'procmailrc'),
      `MAILDIR=${maildir()}\nDEFAULT=${maildir()}/\nPATH=${bin}:/usr/bin:/bin\n${docBlock('verifying-mail.md', '**Sieve** (Dovecot Pigeonhole)', '').replaceAll('/etc/ruaflow.toml', join(dir, 'ruaflow.toml'))}`,
    );
  });

  /** Delivery as Postfix local(8) runs the documented mailbox_command (`procmail -p`), with what
   * it exports about the SMTP client. */
  const deliver = (input: string, client: { ip: string; sender: string }) =>
    run('procmail', ['-p', '-m', join(dir, 'procmailrc')], {
      input,
      env: { ...process.env, CLIENT_ADDRESS: client.ip, CLIENT_HELO: 'mail.sender.example', SENDER: client.sender },
    });

  it('files by the header the MTA added', async () => {
    const before = files(join(maildir(), '.Junk')).length;
    const r = await deliver(withHeader('quarantine; reason="test"'), { ip: '192.0.2.10', sender: 'alice@example.com' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(files(join(maildir(), '.Junk')).length, before + 1, r.stderr);
  });

  it('verifies at delivery: a message that fails DMARC under p=quarantine goes to Junk, a passing one to the inbox', async () => {
    const junk = files(join(maildir(), '.Junk')).length;
    const inbox = files(maildir()).length;
    // shop.example publishes p=quarantine; this message is unsigned and from an address its SPF refuses.
    const failing = await deliver(message({ from: 'Shop <news@shop.example>' }), { ip: '203.0.113.9', sender: 'news@shop.example' });
    assert.equal(failing.code, 0, failing.stderr);
    assert.equal(files(join(maildir(), '.Junk')).length, junk + 1, 'quarantined: filed in Junk');

    const passing = await sign(message(), [{ domain: 'example.com', selector: 'k', key: KEY }]);
    const ok = await deliver(passing.toString('latin1'), { ip: '192.0.2.10', sender: 'alice@example.com' });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(files(join(maildir(), '.Junk')).length, junk + 1, 'not filed in Junk');
    assert.equal(files(maildir()).length, inbox + 1, 'delivered to the inbox');
  });
});
