/**
 * A folder for send-reports tests: ruaflow.toml (reporter, [smtp] at the given port, [dns] at the
 * given server, our signing key) and a database holding a day's evaluations; and the setup they
 * share (startOutboundSetup): the temp root, our key and the DNS server publishing it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publicKeyForDns } from '../../src/mail/dkim-key.js';
import { openDatabase } from '../../src/store/database.js';
import { startDnsServer } from './dns-server.js';
import { evaluation, insertEvaluations } from './evaluations.js';

export interface OutboundSetup {
  /** Where the folders are made. */
  readonly root: string;
  readonly dnsServer: string;
  /** Our DKIM private key (PEM file), selector s1 of receiver.example. */
  readonly keyFile: string;
  /** The day the evaluations are on. */
  readonly begin: number;
}

/** The setup a test file starts once: stop() stops its DNS server and removes the root. */
export interface OutboundRoot extends OutboundSetup {
  stop(): Promise<void>;
}

/** A new temp root holding our DKIM key (a new RSA key, selector s1 of receiver.example) and a
 * loopback DNS server publishing its public half. */
export async function startOutboundSetup(prefix: string, begin: number): Promise<OutboundRoot> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = join(root, 'dkim.pem');
  writeFileSync(keyFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const dns = await startDnsServer({ 's1._domainkey.receiver.example': { TXT: [`v=DKIM1; k=rsa; p=${publicKeyForDns(pair.publicKey)}`] } });
  return {
    root,
    dnsServer: dns.server,
    keyFile,
    begin,
    stop: async () => {
      await dns.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

let n = 0;

/** A new folder with ruaflow.toml and db.sqlite; `count` evaluations per domain (default 2). */
export function outboundFolder(s: OutboundSetup, smtpPort: number, domains: { name: string; rua?: string; count?: number }[], extra = ''): string {
  const dir = join(s.root, `c${++n}`);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'ruaflow.toml'),
    `[database]
path = "db.sqlite"
[reporter]
org_name = "Receiver Ltd"
email = "dmarc-reports@receiver.example"
domain = "receiver.example"
[smtp]
host = "127.0.0.1"
port = ${smtpPort}
secure = false
from = "dmarc-reports@receiver.example"
[dns]
servers = ["${s.dnsServer}"]
timeout_ms = 1500
[outbound]
pace_seconds = 0
${extra}
[[domains]]
name = "receiver.example"
keys = [{ selector = "s1", private_key_file = "${s.keyFile}" }]
`,
  );
  const db = openDatabase(join(dir, 'db.sqlite'));
  insertEvaluations(
    db,
    domains.flatMap((d) => Array.from({ length: d.count ?? 2 }, (_, i) => evaluation(d.name, s.begin + 3600 * (i + 1), { ...(d.rua !== undefined ? { rua: d.rua } : {}) }))),
  );
  db.close();
  return dir;
}
