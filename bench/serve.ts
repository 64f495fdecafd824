/**
 * The serve scenario of `npm run bench` (issue 6): N pre-signed messages (RSA 2048 and ed25519
 * signers, some spoofed), a loopback DNS server serving their keys, SPF and DMARC records, and
 * `ruaflow serve` (the built CLI) pinned to one core with `taskset -c 0` where available. After a
 * warm-up pass (DNS cache warm), the same N messages go through the service again over 16
 * connections, five times: messages/s of the median pass. Beside it the same messages through mailauth's `authenticate()`
 * called directly in one process on the same core (bench/mailauth-direct.ts), its passes taken in
 * turns with the service's, and the ratio of the medians.
 * Targets: ≥ 300 messages/s, and serve time ≤ 1.2 × the direct time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { startDnsServer, type Zone } from '../test/helpers/dns-server.js';
import { median, shebangFlags } from './measure.js';
import { dkimZone, ed25519Key, message, rsaKey, sign } from '../test/receiver/support.js';

export interface ServeResult {
  readonly messages: number;
  readonly pinned: boolean;
  readonly serve_s: number;
  readonly serve_messages_per_s: number;
  readonly direct_s: number;
  readonly direct_messages_per_s: number;
  readonly ratio: number;
  /** Service / mailauth time of each pair of passes, in order. */
  readonly pass_ratios: readonly number[];
  /** CPU time (user + system) of a pass, medians: steadier than wall time on a busy machine. */
  readonly serve_cpu_s: number | null;
  readonly direct_cpu_s: number;
  readonly cpu_ratio: number | null;
  readonly decisions: Record<string, number>;
}

interface BenchMessage {
  readonly ip: string;
  readonly helo: string;
  readonly mail_from: string;
  readonly rcpt: readonly string[];
  readonly message: string;
}

const DOMAINS = 8;
const CONNECTIONS = 16;
/** Timed passes after the warm-up; the median is reported (the machine is shared with the client). */
const PASSES = 5;
/** Untimed passes first: DNS caches, the JIT, SQLite's page cache. */
const WARM_UP_PASSES = 2;
const ROOT = resolve(import.meta.dirname, '..');

export async function benchServe(options: { cli: string; quick: boolean; tmp: string; log: (line: string) => void }): Promise<ServeResult> {
  const count = options.quick ? 400 : 3000;
  const zone: Zone = {};
  for (let d = 0; d < DOMAINS; d++) {
    const domain = `sender${d}.example`;
    zone[domain] = { TXT: [`v=spf1 ip4:198.51.100.${d + 1} -all`], A: [`198.51.100.${d + 1}`] };
    zone[`_dmarc.${domain}`] = { TXT: [`v=DMARC1; p=${d % 2 === 0 ? 'reject' : 'quarantine'}; rua=mailto:dmarc@${domain}`] };
    Object.assign(zone, dkimZone(domain, 'rsa', rsaKey(2048)), dkimZone(domain, 'ed', ed25519Key()));
  }
  const dns = await startDnsServer(zone);
  let service: ReturnType<typeof spawn> | null = null;
  try {
    const t0 = performance.now();
    const messages: BenchMessage[] = [];
    for (let i = 0; i < count; i++) {
      const d = i % DOMAINS;
      const domain = `sender${d}.example`;
      const text = message({ from: `user${i}@${domain}`, subject: `message ${i}`, body: `Hello ${i}\r\n${'lorem ipsum '.repeat(40)}` });
      const spoofed = i % 5 === 4;
      const bytes = spoofed
        ? Buffer.from(text)
        : await sign(text, [{ domain, selector: i % 2 === 0 ? 'rsa' : 'ed', key: i % 2 === 0 ? rsaKey(2048) : ed25519Key() }]);
      messages.push({
        ip: spoofed ? '203.0.113.9' : `198.51.100.${d + 1}`,
        helo: `mx.${domain}`,
        mail_from: spoofed ? 'x@spoofer.test' : `bounce@${domain}`,
        rcpt: ['postmaster@receiver.example'],
        message: bytes.toString('base64'),
      });
    }
    const file = join(options.tmp, 'serve-messages.jsonl');
    writeFileSync(file, `${messages.map((m) => JSON.stringify(m)).join('\n')}\n`);
    options.log(`serve: ${count} messages signed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const config = join(options.tmp, 'bench-serve.toml');
    writeFileSync(config, `[dns]\nservers = ["${dns.server}"]\ntimeout_ms = 2000\n[reporter]\norg_name = "Bench"\nemail = "dmarc@receiver.example"\ndomain = "receiver.example"\n`);
    // The service (and later the baseline) on CPU 0, this process — the client sending the
    // messages and the DNS server — on the others, so that the two do not share a core.
    const pinned = spawnSync('taskset', ['-c', '0', 'true']).status === 0 && cpus().length > 1;
    if (pinned) spawnSync('taskset', ['-p', '-c', `1-${cpus().length - 1}`, String(process.pid)]);
    // As the bin runs it: with the V8 flags of its first line.
    const args = [...shebangFlags(options.cli), options.cli, 'serve', '--config', config, '--db', join(options.tmp, 'bench-serve.sqlite'), '--listen', '127.0.0.1:0'];
    service = pinned ? spawn('taskset', ['-c', '0', process.execPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'] }) : spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const port = await new Promise<number>((ok, fail) => {
      let text = '';
      const timer = setTimeout(() => fail(new Error(`serve did not start: ${text.slice(-500)}`)), 30_000);
      service?.stderr?.on('data', (d: Buffer) => {
        if (text.length < 100_000) text += d.toString();
        const m = /"event":"listening","address":"127\.0\.0\.1:(\d+)"/.exec(text);
        if (m?.[1] !== undefined) {
          clearTimeout(timer);
          ok(Number(m[1]));
        }
      });
      service?.once('exit', (code) => fail(new Error(`serve exited ${code}: ${text.slice(-500)}`)));
    });

    // The baseline process, on the same core, driven pass by pass over stdin.
    const direct = startDirect(
      pinned ? 'taskset' : process.execPath,
      // with the service's V8 flags, so that both run with the same heap configuration
      [...(pinned ? ['-c', '0', process.execPath] : []), ...shebangFlags(options.cli), '--import', 'tsx', join(ROOT, 'bench', 'mailauth-direct.ts'), file, dns.server],
    );
    try {
      // Warm-up (DNS caches, JIT) for both, then timed passes taken in turns, so that a change in
      // the machine's load hits both alike; medians.
      const servicePid = service.pid ?? 0;
      for (let i = 0; i < WARM_UP_PASSES; i++) {
        const warm = await throughService(port, messages, servicePid);
        const warmDirect = await direct.pass();
        options.log(`serve: warm-up pass ${i + 1}: service ${(warm.ms / 1000).toFixed(2)} s, mailauth ${(warmDirect.ms / 1000).toFixed(2)} s`);
      }
      const serveRuns: { ms: number; cpuMs: number | null; decisions: Record<string, number> }[] = [];
      const directRuns: { ms: number; cpuMs: number }[] = [];
      for (let i = 0; i < PASSES; i++) {
        const sr = await throughService(port, messages, servicePid);
        const dr = await direct.pass();
        serveRuns.push(sr);
        directRuns.push(dr);
        options.log(
          `serve: pass ${i + 1}: service ${(sr.ms / 1000).toFixed(2)} s (CPU ${sr.cpuMs === null ? '?' : (sr.cpuMs / 1000).toFixed(2)} s), ` +
            `mailauth ${(dr.ms / 1000).toFixed(2)} s (CPU ${(dr.cpuMs / 1000).toFixed(2)} s)`,
        );
      }
      const timed = [...serveRuns].sort((a, b) => a.ms - b.ms)[Math.floor(PASSES / 2)] ?? serveRuns[0]!;
      const serveS = timed.ms / 1000;
      const directS = median(directRuns.map((r) => r.ms)) / 1000;
      const serveCpu = serveRuns.every((r) => r.cpuMs !== null) ? median(serveRuns.map((r) => r.cpuMs ?? 0)) / 1000 : null;
      const directCpu = median(directRuns.map((r) => r.cpuMs)) / 1000;
      return {
        messages: count,
        pinned,
        serve_s: serveS,
        serve_messages_per_s: count / serveS,
        direct_s: directS,
        direct_messages_per_s: count / directS,
        ratio: serveS / directS,
        pass_ratios: serveRuns.map((r, i) => r.ms / (directRuns[i]?.ms ?? r.ms)),
        serve_cpu_s: serveCpu,
        direct_cpu_s: directCpu,
        cpu_ratio: serveCpu === null ? null : serveCpu / directCpu,
        decisions: timed.decisions,
      };
    } finally {
      direct.stop();
    }
  } finally {
    if (cpus().length > 1) spawnSync('taskset', ['-p', '-c', `0-${cpus().length - 1}`, String(process.pid)]);
    if (service !== null && service.exitCode === null) {
      const s = service;
      await new Promise<void>((done) => {
        s.once('exit', () => done());
        s.kill('SIGTERM');
      });
    }
    await dns.stop();
  }
}

/** The baseline child: `pass()` runs one timed pass of mailauth over all messages. */
function startDirect(command: string, args: readonly string[]): { pass(): Promise<{ ms: number; cpuMs: number }>; stop(): void } {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let buffer = '';
  const waiting: ((line: string) => void)[] = [];
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      waiting.shift()?.(line);
    }
  });
  return {
    pass: () =>
      new Promise((done, fail) => {
        const onExit = (code: number | null): void => fail(new Error(`mailauth-direct exited ${code}: ${stderr.slice(-500)}`));
        child.once('exit', onExit);
        waiting.push((line) => {
          child.off('exit', onExit);
          const r = JSON.parse(line) as { ms: number; cpu_ms: number; temperrors: number };
          if (r.temperrors > 0) fail(new Error(`mailauth-direct: ${r.temperrors} DNS temperrors, the baseline is not valid`));
          else done({ ms: r.ms, cpuMs: r.cpu_ms });
        });
        child.stdin.write('pass\n');
      }),
    stop: () => {
      // End of input ends it; a stuck one is killed.
      child.stdin.end();
      setTimeout(() => child.kill('SIGTERM'), 5000).unref();
    },
  };
}

/** User + system CPU time of a process so far, in ms (Linux /proc; null elsewhere). */
function processCpuMs(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** All messages over CONNECTIONS connections, each writing its share at once; ms until the last answer. */
async function throughService(port: number, messages: readonly BenchMessage[], pid: number): Promise<{ ms: number; cpuMs: number | null; decisions: Record<string, number> }> {
  const decisions: Record<string, number> = {};
  // The request lines are made before the clock starts: the client's own work is not measured.
  const payloads = Array.from({ length: CONNECTIONS }, (_, c) => {
    const mine = messages.filter((_, i) => i % CONNECTIONS === c);
    return { count: mine.length, bytes: Buffer.from(`${mine.map((m) => JSON.stringify(m)).join('\n')}\n`) };
  });
  const started = performance.now();
  const cpu0 = processCpuMs(pid);
  await Promise.all(
    payloads.map((mine) => {
      return new Promise<void>((ok, fail) => {
        const socket = connect(port, '127.0.0.1');
        let buffer = '';
        let answered = 0;
        socket.on('error', fail);
        socket.on('data', (d: Buffer) => {
          buffer += d.toString();
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const answer = JSON.parse(buffer.slice(0, nl)) as { decision?: string; error?: string };
            buffer = buffer.slice(nl + 1);
            if (answer.error !== undefined) return fail(new Error(`serve answered an error: ${answer.error}`));
            decisions[answer.decision ?? '?'] = (decisions[answer.decision ?? '?'] ?? 0) + 1;
            if (++answered === mine.count) {
              socket.end();
              ok();
            }
          }
        });
        socket.on('connect', () => socket.write(mine.bytes));
      });
    }),
  );
  const ms = performance.now() - started;
  // The service finishes its group commit within 100 ms of the last answer: wait for it, so that
  // its CPU time includes the work of this pass.
  await new Promise((r) => setTimeout(r, 150));
  const cpu1 = processCpuMs(pid);
  return { ms, cpuMs: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0, decisions };
}
