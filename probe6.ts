import { authenticate, type DNSResolver } from 'mailauth';
import { createWriteStream } from 'node:fs';
import { startDnsServer, type Zone } from './test/helpers/dns-server.ts';
import { dkimZone, ed25519Key, message, rsaKey, sign } from './test/receiver/support.ts';
import { createDnsResolver } from './src/platform/dns-resolver.ts';
import { verifyMessage } from './src/jobs/verify-message.ts';
import { authenticateMessage } from './src/receiver/verify.ts';
import { createLogger } from './src/platform/logger.ts';
import { openDatabase } from './src/store/database.ts';
import { EvaluationStore } from './src/store/evaluations.ts';
import { CommitGroup } from './src/store/commit-group.ts';
import { checkEnvelope } from './src/receiver/envelope.ts';
const zone: Zone = {};
for (let d = 0; d < 8; d++) { const domain = `sender${d}.example`; zone[domain] = { TXT: [`v=spf1 ip4:198.51.100.${d + 1} -all`], A: [`198.51.100.${d + 1}`] }; zone[`_dmarc.${domain}`] = { TXT: [`v=DMARC1; p=reject`] }; Object.assign(zone, dkimZone(domain, 'rsa', rsaKey(2048)), dkimZone(domain, 'ed', ed25519Key())); }
const dns = await startDnsServer(zone);
const resolver = createDnsResolver({ servers: [dns.server], timeoutMs: 2000 });
const msgs: { buf: Buffer; env: any }[] = [];
for (let i = 0; i < 1000; i++) { const d = i % 8; const domain = `sender${d}.example`; const text = message({ from: `u${i}@${domain}`, body: `Hello ${i}\r\n${'lorem ipsum '.repeat(40)}` }); const buf = i % 5 === 4 ? Buffer.from(text) : await sign(text, [{ domain, selector: i % 2 ? 'ed' : 'rsa', key: i % 2 ? ed25519Key() : rsaKey(2048) }]); const c = checkEnvelope({ ip: i % 5 === 4 ? '203.0.113.9' : `198.51.100.${d + 1}`, helo: `mx.${domain}`, mailFrom: `b@${domain}`, rcpt: ['p@r.example'] }); if (!c.ok) throw 0; msgs.push({ buf, env: c.envelope }); }
const db = openDatabase('/tmp/probe6.sqlite'); const store = new EvaluationStore(db); const group = new CommitGroup(db, { maxInputs: 500, maxMillis: 100 });
const log = createLogger({ buffered: true, json: true, stream: createWriteStream('/dev/null') as any });
const deps = { resolver, policy: { knownSigners: [], dkimWhitelist: [], trustedForwarders: [] }, authservId: 'r', clock: { now: () => 1 }, log, store: { insert: (r: any) => { group.enter(); const id = store.insert(r); group.leave(); return id; } }, sample: () => 0 };
const R = resolver as unknown as DNSResolver;
const fns: Record<string, () => Promise<unknown>> = {
  direct: () => Promise.all(msgs.map((m) => authenticate(m.buf, { ip: m.env.ip, helo: m.env.helo, sender: m.env.mailFrom, mta: 'r', resolver: R, disableBimi: true }))),
  directNoDmarc: () => Promise.all(msgs.map((m) => authenticate(m.buf, { ip: m.env.ip, helo: m.env.helo, sender: m.env.mailFrom, mta: 'r', resolver: R, disableBimi: true, disableDmarc: true }))),
  authOnly: () => Promise.all(msgs.map((m) => authenticateMessage(m.buf, m.env, { resolver, authservId: 'r' }))),
  ours: () => Promise.all(msgs.map((m) => verifyMessage(deps as any, m.buf, m.env))),
};
const best: Record<string, number> = {};
for (let r = 0; r < 6; r++) for (const [k, f] of Object.entries(fns)) { const t = performance.now(); await f(); const ms = performance.now() - t; if (r > 0) best[k] = Math.min(best[k] ?? 1e9, ms); }
console.log(best);
group.commit(); db.close(); await dns.stop();
