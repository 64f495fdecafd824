/**
 * `ruaflow serve` end to end: the real CLI as a child process on a loopback port and on a unix
 * socket, real sockets from the test, 1,000 concurrent requests, malformed input answered with
 * an error while the service keeps running, and every answered evaluation in the SQLite file
 * after SIGTERM (group commits are flushed on shutdown).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';
import { dkimZone, ed25519Key, message, rsaKey, sign } from './support.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

let dns: DnsServer;
let dir: string;
let config: string;

before(async () => {
  dns = await startDnsServer({
    'example.com': { TXT: ['v=spf1 ip4:192.0.2.10 -all'], A: ['192.0.2.10'] },
    '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@example.com'] },
    ...dkimZone('example.com', 'r', rsaKey(2048)),
    ...dkimZone('example.com', 'ed', ed25519Key()),
  });
  dir = mkdtempSync(join(tmpdir(), 'ruaflow-serve-'));
  config = join(dir, 'ruaflow.toml');
  writeFileSync(config, `[dns]\nservers = ["${dns.server}"]\ntimeout_ms = 5000\n[limits]\nmax_message_bytes = 16384\n`);
});
after(async () => {
  await dns.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Service {
  readonly child: ChildProcess;
  readonly address: string;
  stderr(): string;
  /** SIGTERM and the exit code. */
  stop(): Promise<number | null>;
}

async function startService(args: readonly string[], configFile = config): Promise<Service> {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'serve', '--config', configFile, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 20_000);
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /"event":"listening","address":"([^"]+)"/.exec(stderr);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  return {
    child,
    address,
    stderr: () => stderr,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

/** A client connection: write lines, read the answers in order. */
function client(address: string): Promise<{ socket: Socket; next(): Promise<Record<string, unknown>> }> {
  const m = /^(.*):(\d+)$/.exec(address);
  const socket = m !== null && !address.startsWith('/') ? connect(Number(m[2]), m[1]) : connect(address);
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let buffer = '';
  socket.on('data', (d: Buffer) => {
    buffer += d.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const w = waiting.shift();
      if (w !== undefined) w(line);
      else lines.push(line);
    }
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () =>
      resolve({
        socket,
        next: () => {
          const line = lines.shift();
          if (line !== undefined) return Promise.resolve(JSON.parse(line) as Record<string, unknown>);
          return new Promise((r) => waiting.push((l) => r(JSON.parse(l) as Record<string, unknown>)));
        },
      }),
    );
  });
}

const request = (id: number, msg: Buffer, extra: Record<string, unknown> = {}) =>
  `${JSON.stringify({ id, ip: '192.0.2.10', helo: 'mail.example.com', mail_from: 'alice@example.com', rcpt: ['bob@receiver.example'], message: msg.toString('base64'), ...extra })}\n`;

describe('ruaflow serve', () => {
  it('answers 1,000 concurrent requests on 100 connections, in order, and records all of them', async () => {
    const db = join(dir, 'load.sqlite');
    const service = await startService(['--listen', '127.0.0.1:0', '--db', db]);
    try {
      const messages = [
        await sign(message({ subject: 'rsa' }), [{ domain: 'example.com', selector: 'r', key: rsaKey(2048) }]),
        await sign(message({ subject: 'ed' }), [{ domain: 'example.com', selector: 'ed', key: ed25519Key() }]),
        Buffer.from(message({ subject: 'unsigned' })),
        Buffer.from(message({ from: 'ceo@example.com', subject: 'spoof' })),
      ];
      const expected = ['accept', 'accept', 'accept', 'reject'];
      const clients = await Promise.all(Array.from({ length: 100 }, () => client(service.address)));
      const answers = await Promise.all(
        clients.map(async (c, k) => {
          // ten requests written at once on each connection: all 1,000 are in flight together
          let batch = '';
          for (let j = 0; j < 10; j++) {
            const id = k * 10 + j;
            const spoof = id % 4 === 3;
            batch += request(id, messages[id % 4]!, spoof ? { ip: '203.0.113.5', mail_from: 'x@spoofer.test' } : {});
          }
          c.socket.write(batch);
          const out: Record<string, unknown>[] = [];
          for (let j = 0; j < 10; j++) out.push(await c.next());
          c.socket.end();
          return out;
        }),
      );
      const flat = answers.flat();
      assert.equal(flat.length, 1000);
      flat.forEach((a, i) => {
        assert.equal(a['id'], i, 'answers come back in request order');
        assert.equal(a['error'], undefined, JSON.stringify(a));
        assert.equal(a['decision'], expected[i % 4], `request ${i}`);
      });
    } finally {
      assert.equal(await service.stop(), 0, service.stderr());
    }
    // Everything answered is committed by the time the service has stopped.
    const handle = new BetterSqlite3(db, { readonly: true });
    try {
      assert.equal(handle.prepare('SELECT COUNT(*) FROM evaluations').pluck().get(), 1000);
      assert.deepEqual(handle.prepare('SELECT decision, COUNT(*) AS n FROM evaluations GROUP BY decision ORDER BY decision').all(), [
        { decision: 'accept', n: 750 },
        { decision: 'reject', n: 250 },
      ]);
      assert.equal(handle.prepare('SELECT COUNT(*) FROM evaluation_dkim').pluck().get(), 500);
      assert.equal(handle.prepare('SELECT COUNT(*) FROM evaluation_recipients').pluck().get(), 1000);
    } finally {
      handle.close();
    }
  });

  it('answers malformed requests with an error and keeps serving, on a unix socket', async () => {
    const socketPath = join(dir, 'ruaflow.sock');
    const db = join(dir, 'bad.sqlite');
    const service = await startService(['--socket', socketPath, '--db', db]);
    try {
      assert.equal(service.address, socketPath);
      const c = await client(socketPath);
      const good = Buffer.from(message());
      c.socket.write('this is not json\n');
      assert.match(String((await c.next())['error']), /^request is not JSON/);
      c.socket.write('[1,2]\n');
      assert.equal((await c.next())['error'], 'request must be a JSON object');
      c.socket.write(`${JSON.stringify({ id: 'a', helo: 'x', mail_from: '', message: good.toString('base64') })}\n`);
      assert.deepEqual(await c.next(), { id: 'a', error: 'ip: expected an IPv4 or IPv6 address, got null' });
      c.socket.write(request(2, good, { message: '@@@ not base64 @@@' }));
      assert.deepEqual(await c.next(), { id: 2, error: 'message: not base64' });
      c.socket.write(request(3, Buffer.alloc(20_000, 'a')));
      assert.match(String((await c.next())['error']), /message exceeds the limit of 16384 bytes \(raise \[limits\] max_message_bytes/);
      // A line too long to buffer: refused once, the rest of the line skipped.
      c.socket.write(`{"id": 4, "message": "${'A'.repeat(200_000)}"}\n`);
      assert.match(String((await c.next())['error']), /^request line exceeds \d+ bytes/);
      c.socket.write(request(5, good));
      const ok = await c.next();
      assert.equal(ok['id'], 5);
      assert.equal(ok['decision'], 'accept');
      // A client that drops its connection mid-request does not stop the service.
      const rude = await client(socketPath);
      rude.socket.write('{"id": 6, "ip": "192.0.2.1"');
      rude.socket.destroy();
      const again = await client(socketPath);
      again.socket.write(request(7, good));
      assert.equal((await again.next())['decision'], 'accept');
      c.socket.end();
      again.socket.end();
    } finally {
      assert.equal(await service.stop(), 0, service.stderr());
    }
    assert.equal(existsSync(socketPath), false, 'the socket file is removed on stop');
    const handle = new BetterSqlite3(db, { readonly: true });
    try {
      assert.equal(handle.prepare('SELECT COUNT(*) FROM evaluations').pluck().get(), 2);
    } finally {
      handle.close();
    }
  });

  it('takes its limits from [serve]: a connection over max_connections is refused with one line', async () => {
    const limited = join(dir, 'limited.toml');
    // verify_timeout_ms not above [dns] timeout_ms: allowed, with a warning at start.
    writeFileSync(limited, `[dns]\nservers = ["${dns.server}"]\ntimeout_ms = 5000\n[serve]\nmax_connections = 1\nverify_timeout_ms = 5000\n`);
    const service = await startService(['--listen', '127.0.0.1:0', '--no-record'], limited);
    try {
      assert.match(service.stderr(), /"level":"warn","event":"verify_timeout_ms is not above \[dns\] timeout_ms/);
      const first = await client(service.address);
      first.socket.write(request(1, Buffer.from(message())));
      assert.equal((await first.next())['decision'], 'accept');
      const second = await client(service.address);
      const closed = new Promise<void>((resolve) => second.socket.once('close', () => resolve()));
      // Bounded, so that a missing refusal fails here and `finally` still stops the service.
      const late = (what: string) => new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no ${what} within 5 s`)), 5000).unref());
      assert.match(String((await Promise.race([second.next(), late('refusal')]))['error']), /^too many connections \(1 open\)/);
      await Promise.race([closed, late('close')]);
      // The log line is written at the service's next turn (buffered logger) and crosses a pipe:
      // it may arrive after the close.
      for (const until = Date.now() + 5000; !/"event":"connection refused"/.test(service.stderr()) && Date.now() < until; ) await new Promise((r) => setTimeout(r, 20));
      assert.match(service.stderr(), /"level":"warn","event":"connection refused"/);
      // The first connection is unaffected.
      first.socket.write(request(2, Buffer.from(message())));
      assert.equal((await first.next())['id'], 2);
      first.socket.end();
    } finally {
      assert.equal(await service.stop(), 0, service.stderr());
    }
  });

  it('refuses to listen beyond loopback', async () => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, 'serve', '--config', config, '--listen', '0.0.0.0:8893'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 2);
    assert.match(stderr, /only a loopback address/);
  });
});
