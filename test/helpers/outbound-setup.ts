/**
 * A folder for send-reports tests: ruaflow.toml (reporter, [smtp] at the given port, [dns] at the
 * given server, our signing key) and a database holding a day's evaluations.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/database.js';
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
