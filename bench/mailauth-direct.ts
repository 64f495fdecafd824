/**
 * The baseline of the serve bench: the same messages through mailauth's `authenticate()` called
 * directly (SPF, DKIM, DMARC, ARC; no BIMI, which ruaflow does not do), in one process, with
 * ruaflow's cached DNS resolver against the same loopback server. All messages in flight at once,
 * as the service gets them; each message decoded from base64 per call, as the service does.
 *
 *   node --import tsx bench/mailauth-direct.ts MESSAGES.jsonl 127.0.0.1:PORT
 *
 * Reads one line per pass from stdin (so that the bench can interleave its passes with the
 * service's) and answers each with {"ms": …, "cpu_ms": …, "temperrors": …} (wall and CPU time of the pass).
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { authenticate, type DNSResolver } from 'mailauth';
import { createDnsResolver } from '../src/platform/dns-resolver.js';

const [file, server] = process.argv.slice(2);
if (file === undefined || server === undefined) throw new Error('usage: mailauth-direct.ts MESSAGES.jsonl HOST:PORT');
const messages = readFileSync(file, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { ip: string; helo: string; mail_from: string; message: string });
const resolver = createDnsResolver({ servers: [server], timeoutMs: 2000 }) as unknown as DNSResolver;

const pass = () =>
  Promise.all(
    messages.map((m) =>
      authenticate(Buffer.from(m.message, 'base64'), { ip: m.ip, helo: m.helo, sender: m.mail_from, mta: 'receiver.example', resolver, disableBimi: true }),
    ),
  );

for await (const _ of createInterface({ input: process.stdin })) {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const results = await pass();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  // A baseline that timed out on DNS would not be a baseline: count temperrors for the caller.
  const temperrors = results.filter((r) => r.spf !== false && r.spf.status.result === 'temperror').length;
  process.stdout.write(`${JSON.stringify({ ms, cpu_ms: (cpu.user + cpu.system) / 1000, messages: messages.length, temperrors })}\n`);
}
