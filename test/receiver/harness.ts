/** A verifier wired to real parts: the loopback DNS server and a real SQLite file. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyMessage } from '../../src/jobs/verify-message.js';
import { createDnsResolver } from '../../src/platform/dns-resolver.js';
import { silentLogger } from '../../src/ports/logger.js';
import { checkEnvelope } from '../../src/receiver/envelope.js';
import type { ReceiverPolicy } from '../../src/receiver/local-policy.js';
import type { Evaluation } from '../../src/receiver/types.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { EvaluationStore } from '../../src/store/evaluations.js';
import type { DnsServer } from '../helpers/dns-server.js';

export interface EnvelopeArgs {
  readonly ip?: string;
  readonly helo?: string;
  readonly mailFrom?: string;
  readonly rcpt?: readonly string[];
}

export interface Harness {
  readonly db: Database;
  readonly dbPath: string;
  verify(message: Buffer | string, envelope?: EnvelopeArgs, policy?: Partial<ReceiverPolicy>, sample?: number): Promise<{ evaluation: Evaluation; id: number }>;
  close(): void;
}

export function harness(dns: DnsServer, options: { timeoutMs?: number } = {}): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'ruaflow-verify-'));
  const dbPath = join(dir, 'ruaflow.sqlite');
  const db = openDatabase(dbPath);
  const store = new EvaluationStore(db);
  const resolver = createDnsResolver({ servers: [dns.server], timeoutMs: options.timeoutMs ?? 2000 });
  return {
    db,
    dbPath,
    async verify(message, envelope = {}, policy = {}, sample = 0) {
      const checked = checkEnvelope({
        ip: envelope.ip ?? '192.0.2.10',
        helo: envelope.helo ?? 'mail.example.com',
        mailFrom: envelope.mailFrom ?? 'alice@example.com',
        rcpt: envelope.rcpt ?? ['bob@receiver.example'],
      });
      if (!checked.ok) throw new Error(checked.error);
      const result = await verifyMessage(
        {
          resolver,
          policy: { knownSigners: [], dkimWhitelist: [], trustedForwarders: [], ...policy },
          authservId: 'mx.receiver.example',
          clock: { now: () => 1_800_000_000 },
          log: silentLogger,
          store,
          sample: () => sample,
        },
        Buffer.isBuffer(message) ? message : Buffer.from(message),
        checked.envelope,
      );
      return { evaluation: result.evaluation, id: result.id ?? -1 };
    },
    close: () => db.close(),
  };
}
