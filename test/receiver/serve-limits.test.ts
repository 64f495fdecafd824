/**
 * `ruaflow serve` against hostile or stuck clients (src/jobs/serve.ts, serve-connection.ts), over
 * real sockets with the loopback DNS server and the real resolver: the connection cap, the idle
 * and request-line deadlines, and a verification held up by a DNS server that never answers.
 * Limits are small here so that the tests are quick; each test has a timeout of its own, so a
 * missing limit fails the test instead of hanging it. Nothing asserts how fast anything is.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SERVE_LIMITS, type ServeLimits } from '../../src/limits.js';
import { startVerifyService, type VerifyService } from '../../src/jobs/serve.js';
import type { VerifyDeps } from '../../src/jobs/verify-message.js';
import { createDnsResolver } from '../../src/platform/dns-resolver.js';
import type { LogFields, Logger } from '../../src/ports/logger.js';
import type { EvaluationRow } from '../../src/store/evaluations.js';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';
import { message } from './support.js';

/** A backstop only: every wait in a test is bounded by within(). */
const TEST_TIMEOUT = { timeout: 20_000 };

let dns: DnsServer;

before(async () => {
  dns = await startDnsServer({
    'example.com': { TXT: ['v=spf1 ip4:192.0.2.10 -all'], A: ['192.0.2.10'] },
    '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@example.com'] },
    // A sender domain whose DNS server never answers: SPF waits on it.
    'slow.example': { silent: true },
  });
});
after(() => dns.stop());

interface Running {
  readonly service: VerifyService;
  readonly port: number;
  readonly rows: EvaluationRow[];
  readonly logged: { level: string; event: string; fields: LogFields }[];
}

async function start(limits: Partial<ServeLimits>): Promise<Running> {
  const rows: EvaluationRow[] = [];
  const logged: Running['logged'] = [];
  const log: Logger = {
    info: (event, fields = {}) => logged.push({ level: 'info', event, fields }),
    warn: (event, fields = {}) => logged.push({ level: 'warn', event, fields }),
    error: (event, fields = {}) => logged.push({ level: 'error', event, fields }),
  };
  const deps: VerifyDeps = {
    // Longer than any verify_timeout_ms here: only the service's own bound can answer first.
    resolver: createDnsResolver({ servers: [dns.server], timeoutMs: 3000 }),
    policy: { knownSigners: [], dkimWhitelist: [], trustedForwarders: [] },
    authservId: 'mx.receiver.example',
    clock: { now: () => 1_800_000_000 },
    log,
    store: {
      insert: (row) => {
        rows.push(row);
        return rows.length;
      },
    },
    sample: () => 0,
  };
  const service = startVerifyService(deps, { maxMessageBytes: 65536, limits: { ...DEFAULT_SERVE_LIMITS, ...limits }, group: null, log });
  await new Promise<void>((resolve) => service.server.listen(0, '127.0.0.1', resolve));
  const address = service.server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { service, port: address.port, rows, logged };
}

interface Client {
  readonly socket: Socket;
  /** The next answer, or null once the service has closed the connection. */
  next(): Promise<Record<string, unknown> | null>;
  /** Resolves when the connection is closed. */
  closed(): Promise<void>;
}

/** Every wait is bounded, so that a limit that does not act fails an assertion and the test's
 * `finally` still stops the service (a test timeout would leave it running, and the run hung). */
function within<T>(promise: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new assert.AssertionError({ message: `no ${what} within ${ms} ms` })), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function client(port: number): Promise<Client> {
  const socket = connect(port, '127.0.0.1');
  const lines: (string | null)[] = [];
  const waiting: ((line: string | null) => void)[] = [];
  const deliver = (line: string | null): void => {
    const w = waiting.shift();
    if (w !== undefined) w(line);
    else lines.push(line);
  };
  let buffer = '';
  socket.on('data', (d: Buffer) => {
    buffer += d.toString();
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      deliver(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void closed.then(() => {
    // Every later next() sees the close too.
    for (let i = 0; i < 100; i++) deliver(null);
  });
  const parse = (line: string | null): Record<string, unknown> | null => (line === null ? null : (JSON.parse(line) as Record<string, unknown>));
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () =>
      resolve({
        socket,
        closed: () => within(closed, 'close'),
        next: () => {
          if (lines.length > 0) return Promise.resolve(parse(lines.shift() ?? null));
          return within(new Promise((r) => waiting.push((l) => r(parse(l)))), 'answer');
        },
      }),
    );
  });
}

const MESSAGE = Buffer.from(message());

const request = (id: number, extra: Record<string, unknown> = {}): string =>
  `${JSON.stringify({ id, ip: '192.0.2.10', helo: 'mail.example.com', mail_from: 'alice@example.com', rcpt: ['bob@receiver.example'], message: MESSAGE.toString('base64'), ...extra })}\n`;

/** Waits for a condition the test cannot be told about by an event (polled every 10 ms). */
async function until(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const connections = (service: VerifyService): Promise<number> =>
  new Promise((resolve, reject) => service.server.getConnections((error, n) => (error ? reject(error) : resolve(n))));

describe('ruaflow serve limits', () => {
  it('refuses connections beyond max_connections with one error line, and the open ones keep working', TEST_TIMEOUT, async () => {
    const { service, port, logged } = await start({ maxConnections: 3 });
    try {
      const open = [await client(port), await client(port), await client(port)];
      // Each is answered, so each was accepted.
      for (const [i, c] of open.entries()) {
        c.socket.write(request(i));
        assert.equal((await c.next())?.['decision'], 'accept');
      }
      const extra = await client(port);
      extra.socket.write(request(99));
      const refusal = await extra.next();
      assert.match(String(refusal?.['error']), /too many connections .*\[serve\] max_connections/);
      assert.equal(refusal?.['id'], undefined, 'a refusal answers no request');
      assert.equal(await extra.next(), null, 'and the connection is closed');
      assert.ok(logged.some((l) => l.level === 'warn' && l.event === 'connection refused'), JSON.stringify(logged));
      // A flood of refused connections is not a flood of log lines: at most one a second.
      const flood = await Promise.all(Array.from({ length: 20 }, () => client(port)));
      for (const c of flood) assert.match(String((await c.next())?.['error']), /too many connections/);
      // (Two lines only if the flood itself took over a second on a loaded machine.)
      assert.ok(logged.filter((l) => l.event === 'connection refused').length <= 2, 'the flood is not logged line by line');
      await new Promise((r) => setTimeout(r, 1100));
      const later = await client(port);
      await later.next();
      // Each line counts the refusals since the one before: together, every refusal.
      const refusals = logged.filter((l) => l.event === 'connection refused');
      assert.equal(refusals.reduce((n, l) => n + Number(l.fields['refused']), 0), 1 + 20 + 1);

      // The first three are unaffected.
      for (const [i, c] of open.entries()) {
        c.socket.write(request(10 + i));
        const a = await c.next();
        assert.equal(a?.['id'], 10 + i);
        assert.equal(a?.['decision'], 'accept');
      }
      // A closed connection frees its place.
      open[0]!.socket.end();
      await until('the service to see the close', async () => (await connections(service)) <= 2);
      const next = await client(port);
      next.socket.write(request(20));
      assert.equal((await next.next())?.['decision'], 'accept');
      for (const c of [...open, next]) c.socket.destroy();
    } finally {
      await service.stop();
    }
  });

  it('closes a connection idle for idle_timeout_ms, but not one whose answer is still coming', TEST_TIMEOUT, async () => {
    const { service, port, logged } = await start({ idleTimeoutMs: 200, verifyTimeoutMs: 1000 });
    try {
      const idle = await client(port);
      const waiting = await client(port);
      // Held up by DNS for the whole verify_timeout_ms, five idle periods.
      waiting.socket.write(request(1, { mail_from: 'alice@slow.example' }));
      await idle.closed();
      assert.equal(await idle.next(), null, 'an idle connection is closed without a line');
      assert.ok(logged.some((l) => l.event === 'connection idle, closed'));
      const answer = await waiting.next();
      assert.equal(answer?.['id'], 1, 'the waiting client got its answer rather than a close');
      assert.match(String(answer?.['error']), /timed out/);
      // Answered, it is idle in turn.
      await waiting.closed();
    } finally {
      await service.stop();
    }
  });

  it('answers a request line still trickling in after line_timeout_ms with an error, then closes', TEST_TIMEOUT, async () => {
    const { service, port, logged } = await start({ lineTimeoutMs: 300 });
    let trickle: NodeJS.Timeout | undefined;
    try {
      const c = await client(port);
      // A whole request, even in two parts, is answered.
      const whole = request(1);
      c.socket.write(whole.slice(0, 40));
      await new Promise((r) => setTimeout(r, 20));
      c.socket.write(whole.slice(40));
      assert.equal((await c.next())?.['decision'], 'accept');
      // Then a line that never ends: a byte every 20 ms, so the connection is never idle.
      c.socket.write('{"id": 2, "ip": "192.0.2.10"');
      trickle = setInterval(() => c.socket.write(' '), 20);
      const answer = await c.next();
      assert.match(String(answer?.['error']), /request line not complete within 300 ms.*\[serve\] line_timeout_ms/);
      await c.closed();
      assert.ok(logged.some((l) => l.level === 'warn' && l.event === 'request line too slow, connection closed'));
    } finally {
      clearInterval(trickle);
      await service.stop();
    }
  });

  it('256 connections trickling a byte at a time do not lock a new client out: the slowest line is closed to make room', TEST_TIMEOUT, async () => {
    // The defaults: max_connections 256, line_timeout_ms 30 s, so the trickle outlives the test.
    const { service, port, logged } = await start({});
    const slow: Client[] = [];
    let trickle: NodeJS.Timeout | undefined;
    try {
      for (let i = 0; i < DEFAULT_SERVE_LIMITS.maxConnections; i++) {
        const c = await client(port);
        c.socket.write('{"id": ');
        slow.push(c);
      }
      trickle = setInterval(() => {
        for (const c of slow) if (!c.socket.destroyed) c.socket.write(' ');
      }, 200);
      await until('every slow connection to be open', async () => (await connections(service)) === DEFAULT_SERVE_LIMITS.maxConnections);

      // The MTA's own connection is served at once, and again on a second connection.
      for (const id of [1, 2]) {
        const mta = await client(port);
        mta.socket.write(request(id));
        const answer = await mta.next();
        assert.equal(answer?.['id'], id, JSON.stringify(answer));
        assert.equal(answer?.['decision'], 'accept');
        mta.socket.destroy();
      }
      // The oldest slow lines made room: each got one line saying why, then was closed.
      const first = await slow[0]!.next();
      assert.match(String(first?.['error']), /closed to make room: \d+ connections open \(\[serve\] max_connections\), and this request line, unfinished after \d+ ms, was the oldest/);
      await slow[0]!.closed();
      assert.ok(logged.some((l) => l.level === 'warn' && l.event === 'slow request line closed to make room'), JSON.stringify(logged.slice(-3)));
      // One per new connection, oldest first: the others are left alone. (A connection that is
      // not in the middle of a line is never closed for room: the max_connections test above.)
      assert.equal((await slow[1]!.next())?.['error'] !== undefined, true);
      assert.ok(!slow[2]!.socket.destroyed, 'the others are left alone');
    } finally {
      clearInterval(trickle);
      for (const c of slow) c.socket.destroy();
      await service.stop();
    }
  });

  it('answers a client that half-closes after its requests, then closes', TEST_TIMEOUT, async () => {
    const { service, port } = await start({});
    try {
      const c = await client(port);
      // The last line may even lack its newline: end of input ends it (`nc -N`, shutdown(SHUT_WR)).
      c.socket.end(request(1) + request(2).trimEnd());
      assert.equal((await c.next())?.['id'], 1);
      assert.equal((await c.next())?.['id'], 2);
      await c.closed();
    } finally {
      await service.stop();
    }
  });

  it('answers a verification held up by DNS with a timeout error, in order, records nothing for it, and keeps serving', TEST_TIMEOUT, async () => {
    // 1.5 s: long enough that the quick requests are never timed out on a loaded CI machine,
    // shorter than the resolver's own 3 s, so only the service's bound answers the held one.
    const { service, port, rows, logged } = await start({ verifyTimeoutMs: 1500 });
    try {
      const held = await client(port);
      const other = await client(port);
      // Pipelined: the held request first, a quick one behind it.
      held.socket.write(request(1, { mail_from: 'alice@slow.example' }) + request(2));
      await until('the query to the silent name', () => dns.queries.some((q) => q.name === 'slow.example'));
      // Another connection is served while that one waits.
      other.socket.write(request(3));
      const third = await other.next();
      assert.equal(third?.['id'], 3);
      assert.equal(third?.['decision'], 'accept');

      const first = await held.next();
      assert.equal(first?.['id'], 1);
      assert.match(String(first?.['error']), /^verification timed out after 1500 ms.*\[serve\] verify_timeout_ms/);
      const second = await held.next();
      assert.equal(second?.['id'], 2, 'answers stay in request order');
      assert.equal(second?.['decision'], 'accept');
      assert.ok(logged.some((l) => l.level === 'warn' && l.event === 'verify timed out' && l.fields['id'] === 1));
      held.socket.destroy();
      other.socket.destroy();
    } finally {
      // stop() also waits for the abandoned verification to wind down: after it, nothing more can
      // be recorded.
      await service.stop();
    }
    assert.deepEqual(
      rows.map((r) => r.envelopeFrom),
      ['alice@example.com', 'alice@example.com'],
      'requests 2 and 3 are recorded, the timed-out one is not',
    );
  });
});
