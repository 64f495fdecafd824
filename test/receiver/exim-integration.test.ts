/**
 * The Exim integration of docs/verifying-mail.md, run by a real Exim (Debian's
 * exim4-daemon-heavy: the `regex` condition that writes the scan file needs its content scanning).
 * The DATA ACL is taken from the page as printed, with only the paths of the binary and the
 * configuration replaced, and driven with `exim -bh` (an SMTP session from the given address with
 * every ACL run, nothing delivered). `${run}` starts the real CLI, which asks the loopback DNS
 * server and records in a real SQLite file. What Exim answers after DATA is what a sending MTA
 * would see.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { ruaflowBin } from '../helpers/cli.js';
import { docBlock } from '../helpers/doc-block.js';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';
import { dkimZone, message, rsaKey, sign } from './support.js';

const KEY = rsaKey(2048);

let dns: DnsServer;
let dir: string;
let eximConf: string;
let db: string;

/** The DATA ACL of docs/verifying-mail.md "Integration", as printed. */
function readmeEximAcl(): string {
  const acl = docBlock('verifying-mail.md', '**Exim** (`${run}` in the DATA ACL');
  assert.ok(acl.startsWith('acl_check_data:'), 'its first code block is the DATA ACL');
  return acl;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ruaflow-exim-'));
  dns = await startDnsServer({
    'example.com': { TXT: ['v=spf1 ip4:192.0.2.10 -all'], A: ['192.0.2.10'] },
    '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@example.com'] },
    ...dkimZone('example.com', 'k', KEY),
    // Nothing answers for this domain: the verification cannot finish, the message is deferred.
    'slow.example': { silent: true },
    '_dmarc.slow.example': { silent: true },
  });
  db = join(dir, 'ruaflow.sqlite');
  const config = join(dir, 'ruaflow.toml');
  writeFileSync(config, `[database]\npath = "${db}"\n[dns]\nservers = ["${dns.server}"]\ntimeout_ms = 800\n[reporter]\norg_name = "Receiver"\nemail = "dmarc@receiver.example"\ndomain = "mx.receiver.example"\n`);
  // Exim runs the command itself (no shell): a wrapper where the page has the installed binary.
  const bin = ruaflowBin(dir);
  mkdirSync(join(dir, 'spool'));
  mkdirSync(join(dir, 'log'));
  const acl = readmeEximAcl().replaceAll('/usr/local/bin/ruaflow', bin).replaceAll('/etc/ruaflow.toml', config);
  eximConf = join(dir, 'exim.conf');
  writeFileSync(
    eximConf,
    [
      'primary_hostname = mx.receiver.example',
      // Exim works as whoever runs the test, in the test's own folders.
      `exim_user = ${userInfo().uid}`,
      `exim_group = ${userInfo().gid}`,
      `spool_directory = ${join(dir, 'spool')}`,
      `log_file_path = ${join(dir, 'log')}/%s`,
      'acl_smtp_rcpt = acl_check_rcpt',
      'acl_smtp_data = acl_check_data',
      'begin acl',
      'acl_check_rcpt:',
      '  accept',
      acl,
      'begin routers',
      'begin transports',
      '',
    ].join('\n'),
  );
});

after(async () => {
  await dns.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** One SMTP session from `ip` through `exim -bh`: Exim's replies, and its ACL trace. Spawned,
 * not spawnSync: the DNS server that `ruaflow verify` asks runs in this process. */
async function session(ip: string, mailFrom: string, data: Buffer): Promise<{ replies: string; trace: string }> {
  const body = data.toString('latin1').replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
  const input = `HELO mail.example.com\r\nMAIL FROM:<${mailFrom}>\r\nRCPT TO:<bob@receiver.example>\r\nRCPT TO:<carol@receiver.example>\r\nDATA\r\n${body}.\r\nQUIT\r\n`;
  const child = spawn('exim', ['-C', eximConf, '-bh', ip], { stdio: ['pipe', 'pipe', 'pipe'] });
  let replies = '';
  let trace = '';
  child.stdout.on('data', (d: Buffer) => (replies += d.toString('latin1')));
  child.stderr.on('data', (d: Buffer) => (trace += d.toString('latin1')));
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`exim could not run (install exim4-daemon-heavy): ${error.message}`)));
    child.once('close', () => resolve());
  });
  child.stdin.end(Buffer.from(input, 'latin1'));
  await done;
  return { replies, trace };
}

/** Exim's reply to the end of DATA. */
const dataReply = (replies: string): string => replies.split('\n').find((l) => /^250 OK id=|^[45]\d\d /.test(l)) ?? replies;

describe('the documented Exim integration, in a real Exim', () => {
  it('accepts a DKIM-signed message that passes DMARC and adds our Authentication-Results header', async () => {
    const signed = await sign(message(), [{ domain: 'example.com', selector: 'k', key: KEY }]);
    const { replies, trace } = await session('192.0.2.10', 'alice@example.com', signed);
    assert.match(dataReply(replies), /^250 OK id=/, `${replies}\n${trace}`);
    // add_header = $acl_m_ruaflow, expanded to what `ruaflow verify` printed.
    const added = trace.slice(trace.indexOf('check add_header = $acl_m_ruaflow'));
    assert.match(added, /= Authentication-Results: mx\.receiver\.example;\n>>> \tspf=pass smtp\.mailfrom=alice@example\.com;\n>>> \tdkim=pass \(2048-bit key; aligned\) header\.d=example\.com/);
    assert.match(added, /\tdmarc=pass \(p=REJECT\) header\.from=example\.com/);
    assert.match(added, /X-Ruaflow-Decision: accept/);
    const rows = new BetterSqlite3(db, { readonly: true });
    try {
      assert.equal(rows.prepare("SELECT COUNT(*) FROM evaluations WHERE decision = 'accept'").pluck().get(), 1);
      assert.deepEqual(rows.prepare('SELECT address FROM evaluation_recipients ORDER BY n').pluck().all(), ['bob@receiver.example', 'carol@receiver.example'], 'the envelope recipients reached --rcpt');
    } finally {
      rows.close();
    }
  });

  it('refuses a forgery under p=reject with 550 5.7.1 (exit 69)', async () => {
    const forged = Buffer.from(message());
    const { replies, trace } = await session('203.0.113.66', 'alice@example.com', forged);
    assert.match(dataReply(replies), /^550 5\.7\.1 Message failed sender authentication/, `${replies}\n${trace}`);
  });

  it('accepts a bounce (null sender) that passes on its HELO identity', async () => {
    const signed = await sign(message({ from: 'MAILER-DAEMON <postmaster@example.com>' }), [{ domain: 'example.com', selector: 'k', key: KEY }]);
    const { replies, trace } = await session('192.0.2.10', '', signed);
    assert.match(dataReply(replies), /^250 OK id=/, `${replies}\n${trace}`);
    assert.match(trace, /X-Ruaflow-Decision: accept/);
  });

  it('defers with 451 4.7.0 when DNS does not answer (exit 75)', async () => {
    const unsure = Buffer.from(message({ from: 'Carol <carol@slow.example>' }));
    const { replies, trace } = await session('198.51.100.7', 'carol@slow.example', unsure);
    assert.match(dataReply(replies), /^451 4\.7\.0 Sender authentication could not be completed, try again later/, `${replies}\n${trace}`);
  });
});
