/**
 * The IMAP adapter (src/sources/imap/) against a real Dovecot started by the test (STYLE.md 13):
 * TLS and STARTTLS, certificate checks, passwords and XOAUTH2, the one-line errors, listing and
 * fetching, filing (MOVE, the COPY + UID EXPUNGE fallback, \Seen, delete), IDLE and a server that
 * dies mid-session. One Dovecot for the file, one user per test so that mailboxes never overlap.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ImapFlow } from 'imapflow';
import type { ImapConfig } from '../../src/app/config.js';
import { MailboxError, type MailboxErrorKind } from '../../src/errors.js';
import { silentLogger } from '../../src/ports/logger.js';
import type { MailboxMessage, MailboxSession } from '../../src/ports/mailbox.js';
import { createImapConnector } from '../../src/sources/imap/connector.js';
import { connectFailure, lostConnection } from '../../src/sources/imap/failure.js';
import { serverPath } from '../../src/sources/imap/mailbox-path.js';
import { ImapSession } from '../../src/sources/imap/session.js';
import { uidSet } from '../../src/sources/imap/uid-set.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';

const USERS = {
  dmarc: 'secret',
  fetch: 'secret',
  move: 'secret',
  fallback: 'secret',
  seen: 'secret',
  del: 'secret',
  locked: 'secret',
  idle: 'secret',
  token: 'tok-3f9a',
};

const dir = mkdtempSync(join(tmpdir(), 'ruaflow-imap-'));
let dovecot: Dovecot;
let caFile: string;

before(async () => {
  // Without OAUTHBEARER on offer, imapflow sends an access token with XOAUTH2, as for Gmail.
  // A held Maildir lock makes a command fail after 1 s rather than Dovecot's 2 minutes.
  dovecot = await startDovecot({ users: USERS, mechanisms: ['plain', 'login', 'xoauth2'], lockTimeoutSeconds: 1 });
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, dovecot.caPem);
});
after(async () => {
  await dovecot?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function imapConfig(overrides: Partial<ImapConfig> = {}): ImapConfig {
  return {
    host: dovecot.host,
    port: dovecot.imapsPort,
    secure: true,
    user: 'dmarc',
    password: 'secret',
    passwordFile: null,
    accessToken: null,
    accessTokenFile: null,
    mailbox: 'INBOX',
    archiveMailbox: 'DMARC/archive',
    invalidMailbox: null,
    notAggregateMailbox: null,
    afterProcessing: 'move',
    idle: false,
    batchSize: 50,
    tlsRejectUnauthorized: true,
    caFile,
    ...overrides,
  };
}

const open = (overrides: Partial<ImapConfig> = {}, mailbox = 'INBOX'): Promise<MailboxSession> =>
  createImapConnector(imapConfig(overrides), silentLogger, { connectTimeoutMs: 5_000 }).open(mailbox);

async function rejectsWith(promise: Promise<unknown>, kind: MailboxErrorKind, message: RegExp): Promise<MailboxError> {
  const error = await promise.then(
    () => assert.fail('expected a MailboxError'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof MailboxError, `not a MailboxError: ${String(error)}`);
  assert.equal(error.kind, kind, error.message);
  assert.match(error.message, message);
  assert.doesNotMatch(error.message, /\n/);
  return error;
}

function message(id: string, body = 'hello'): Buffer {
  return Buffer.from(
    [
      'From: reports@reporter.example',
      'To: dmarc@example.com',
      `Subject: Report ${id}`,
      `Message-ID: <${id}@reporter.example>`,
      'Date: Sat, 21 Nov 2026 10:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      body,
      '',
    ].join('\r\n'),
  );
}

async function collect(iterable: AsyncIterable<MailboxMessage>): Promise<MailboxMessage[]> {
  const out: MailboxMessage[] = [];
  for await (const m of iterable) out.push(m);
  return out;
}

const ids = async (user: string, mailbox: string): Promise<(string | null)[]> =>
  (await dovecot.listMailbox(user, mailbox)).map((m) => m.messageId);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('connecting', () => {
  it('implicit TLS with ca_file: opens the mailbox, with its UIDVALIDITY and the server delimiter', async () => {
    const session = await open();
    try {
      assert.equal(session.mailbox, 'INBOX');
      assert.match(session.uidValidity, /^[1-9][0-9]*$/);
      assert.equal((session as ImapSession).delimiter, '.');
      assert.deepEqual(await session.listUids(), []);
    } finally {
      await session.close();
    }
    await session.close(); // twice is fine
  });

  it('STARTTLS on the plain port, and the login happens inside TLS', async () => {
    const session = await open({ port: dovecot.imapPort, secure: false });
    await session.close();
    // Dovecot marks a login over TLS (implicit or STARTTLS) with "TLS"; it refuses cleartext
    // logins anyway (disable_plaintext_auth).
    const logins = dovecot.logTail(200).split('\n').filter((l) => /Login: user=<dmarc>/.test(l) && l.includes(`lip=127.0.0.1`));
    assert.ok(logins.length > 0);
    assert.ok(logins.every((l) => /, TLS/.test(l)), logins.join('\n'));
  });

  it('XOAUTH2 with an access token', async () => {
    const session = await open({ user: 'token', password: null, accessToken: USERS.token });
    await session.close();
    assert.match(dovecot.logTail(200), /Login: user=<token>, method=XOAUTH2/);
  });

  it('an untrusted certificate is refused by default (implicit TLS and STARTTLS), with the setting to change', async () => {
    await rejectsWith(
      open({ caFile: null }),
      'tls',
      new RegExp(
        `^imap 127\\.0\\.0\\.1:${dovecot.imapsPort}: TLS certificate not trusted \\(self-signed certificate\\); set \\[imap\\] ca_file or tls_reject_unauthorized = false$`,
      ),
    );
    await rejectsWith(open({ caFile: null, port: dovecot.imapPort, secure: false }), 'tls', /TLS certificate not trusted/);
  });

  it('tls_reject_unauthorized = false accepts the self-signed certificate', async () => {
    const session = await open({ caFile: null, tlsRejectUnauthorized: false });
    await session.close();
  });

  it('implicit TLS against the STARTTLS port fails as a TLS problem, with a hint', async () => {
    await rejectsWith(open({ port: dovecot.imapPort, secure: true }), 'tls', /TLS handshake failed .*set secure = false/);
  });

  it('wrong password → auth', async () => {
    await rejectsWith(
      open({ password: 'wrong' }),
      'auth',
      new RegExp(`^imap 127\\.0\\.0\\.1:${dovecot.imapsPort}: authentication failed for user dmarc \\(wrong password\\)$`),
    );
  });

  it('wrong access token → auth', async () => {
    await rejectsWith(
      open({ user: 'token', password: null, accessToken: 'expired' }),
      'auth',
      /authentication failed for user token \(wrong or expired access token\)$/,
    );
  });

  it('unknown host (.invalid, RFC 2606) → connect', async () => {
    await rejectsWith(open({ host: 'nosuch.invalid' }), 'connect', /^imap nosuch\.invalid:\d+: cannot connect: host (not found|name lookup failed)/);
  });

  it('nothing listening → connect', async () => {
    const port = await freePort();
    await rejectsWith(open({ port }), 'connect', new RegExp(`^imap 127\\.0\\.0\\.1:${port}: cannot connect: connection refused \\(ECONNREFUSED\\)$`));
  });

  it('missing mailbox → mailbox-missing', async () => {
    await rejectsWith(open({}, 'Nope'), 'mailbox-missing', new RegExp(`^imap 127\\.0\\.0\\.1:${dovecot.imapsPort}: mailbox "Nope" does not exist$`));
  });

  it('an unreadable ca_file is a configuration error naming the setting', async () => {
    const error = await open({ caFile: join(dir, 'missing.pem') }).catch((e: unknown) => e);
    assert.equal((error as { code?: string }).code, 'config');
    assert.match((error as Error).message, /\[imap\] ca_file .*missing\.pem: cannot read it \(ENOENT\)/);
  });

  it('a nested mailbox name is opened with the server delimiter', async () => {
    await dovecot.appendMessage('dmarc', 'Reports/dmarc', message('nested'));
    const session = await open({}, 'Reports/dmarc');
    try {
      assert.equal((await collect(session.fetch(await session.listUids())))[0]?.messageId, 'nested@reporter.example');
    } finally {
      await session.close();
    }
  });
});

describe('reading', () => {
  it('listUids is UID SEARCH ALL ascending, fetch returns the exact bytes and Message-ID, sizes, and nothing becomes \\Seen', async () => {
    const bodies = [message('one'), message('two', 'Grüße\r\n\r\n.\r\nend'), message('three', 'x'.repeat(5000)), Buffer.from('Subject: no id\r\n\r\nbody\r\n')];
    const uids: number[] = [];
    for (const [i, b] of bodies.entries()) uids.push(await dovecot.appendMessage('fetch', 'INBOX', b, i === 0 ? ['\\Seen'] : []));
    const session = await open({ user: 'fetch' });
    try {
      assert.deepEqual(await session.listUids(), uids);
      const sizes = await session.sizes(uids);
      assert.deepEqual([...sizes.entries()], uids.map((u, i) => [u, bodies[i]!.length]));

      // A UID that does not exist (any more) is skipped.
      const fetched = await collect(session.fetch([...uids, 9999]));
      assert.deepEqual(fetched.map((m) => m.uid), uids);
      for (const [i, m] of fetched.entries()) {
        assert.ok(Buffer.from(m.bytes).equals(bodies[i]!), `bytes of uid ${m.uid}`);
        assert.equal(m.size, bodies[i]!.length);
      }
      assert.deepEqual(fetched.map((m) => m.messageId), ['one@reporter.example', 'two@reporter.example', 'three@reporter.example', null]);

      // Stopping early (SIGTERM in the poller) leaves the session usable.
      for await (const m of session.fetch(uids)) if (m.uid === uids[1]) break;
      assert.deepEqual(await session.listUids(), uids);
      assert.deepEqual(await collect(session.fetch([])), []);
      assert.deepEqual(await session.sizes([]), new Map());
    } finally {
      await session.close();
    }
    const flags = (await dovecot.listMailbox('fetch', 'INBOX')).map((m) => m.flags);
    assert.deepEqual(flags, [['\\Seen'], [], [], []]);
  });
});

describe('filing', () => {
  it('move creates the missing nested folder with the server delimiter and moves only the named UIDs', async () => {
    const uids: number[] = [];
    for (let i = 1; i <= 5; i++) uids.push(await dovecot.appendMessage('move', 'INBOX', message(`m${i}`), i === 5 ? ['\\Deleted'] : []));
    const session = await open({ user: 'move' });
    try {
      await session.apply([uids[1]!, uids[3]!], { kind: 'move', to: 'DMARC/archive' });
      await session.apply([uids[2]!], { kind: 'move', to: 'DMARC/archive' }); // folder known now
      await session.apply([], { kind: 'move', to: 'DMARC/other' }); // nothing to do, nothing created
      await session.apply([uids[0]!], { kind: 'leave' });
      assert.deepEqual(await session.listUids(), [uids[0], uids[4]]);
    } finally {
      await session.close();
    }
    // A second session finds the folder existing (CREATE answers ALREADYEXISTS).
    const again = await open({ user: 'move' });
    await again.apply([uids[0]!], { kind: 'move', to: 'DMARC/archive' });
    await again.close();

    assert.deepEqual(await ids('move', 'INBOX'), ['m5@reporter.example']); // the \Deleted one is still there
    assert.deepEqual(await ids('move', 'DMARC/archive'), ['m2', 'm4', 'm3', 'm1'].map((m) => `${m}@reporter.example`));
    assert.deepEqual(await dovecot.mailboxes('move'), ['DMARC', 'DMARC/archive', 'INBOX']);
    // Maildir++ stores DMARC/archive as .DMARC.archive: the name was sent as DMARC.archive.
    assert.ok(readdirSync(dovecot.maildir('move')).includes('.DMARC.archive'));
    assert.ok(!readdirSync(dovecot.maildir('move')).some((f) => f.includes('/') || f.includes('DMARC/other')));
  });

  it('without MOVE: COPY + \\Deleted + UID EXPUNGE of the named UIDs only; without UIDPLUS too: refused, nothing touched', async () => {
    const a = await dovecot.appendMessage('fallback', 'INBOX', message('f1'), ['\\Deleted']);
    const b = await dovecot.appendMessage('fallback', 'INBOX', message('f2'));
    const c = await dovecot.appendMessage('fallback', 'INBOX', message('f3'));
    // A session on a client that believes the server lacks MOVE (and then UIDPLUS): the real
    // Dovecot then sees exactly the commands such a server would get.
    const client = new ImapFlow({
      host: dovecot.host,
      port: dovecot.imapsPort,
      secure: true,
      auth: { user: 'fallback', pass: 'secret' },
      tls: { ca: dovecot.caPem },
      logger: false,
      disableAutoIdle: true,
    });
    await client.connect();
    const opened = await client.mailboxOpen('INBOX');
    const endpoint = { host: dovecot.host, port: dovecot.imapsPort, user: 'fallback', secure: true, token: false };
    const session = new ImapSession(client, endpoint, silentLogger, 'INBOX', String(opened.uidValidity), opened.delimiter);
    try {
      client.capabilities.delete('MOVE');
      await session.apply([b], { kind: 'move', to: 'DMARC/archive' });
      assert.deepEqual(await session.listUids(), [a, c]);

      client.capabilities.delete('UIDPLUS');
      await rejectsWith(session.apply([c], { kind: 'move', to: 'DMARC/archive' }), 'refused', /neither MOVE nor UIDPLUS.*after_processing/);
      await rejectsWith(session.apply([c], { kind: 'delete' }), 'refused', /neither MOVE nor UIDPLUS/);
      assert.deepEqual(await session.listUids(), [a, c]);
    } finally {
      await session.close();
    }
    assert.deepEqual(
      (await dovecot.listMailbox('fallback', 'INBOX')).map((m) => [m.messageId, m.flags]),
      [
        ['f1@reporter.example', ['\\Deleted']],
        ['f3@reporter.example', []],
      ],
    );
    assert.deepEqual(await ids('fallback', 'DMARC/archive'), ['f2@reporter.example']);
  });

  it('mark-seen flags only the named messages', async () => {
    const uids = [];
    for (let i = 1; i <= 3; i++) uids.push(await dovecot.appendMessage('seen', 'INBOX', message(`s${i}`)));
    const session = await open({ user: 'seen' });
    await session.apply([uids[0]!, uids[2]!], { kind: 'mark-seen' });
    await session.close();
    assert.deepEqual((await dovecot.listMailbox('seen', 'INBOX')).map((m) => m.flags), [['\\Seen'], [], ['\\Seen']]);
  });

  it('delete removes only the named messages, not other \\Deleted ones', async () => {
    const keep = await dovecot.appendMessage('del', 'INBOX', message('d1'), ['\\Deleted']);
    const gone = await dovecot.appendMessage('del', 'INBOX', message('d2'));
    const other = await dovecot.appendMessage('del', 'INBOX', message('d3'));
    const session = await open({ user: 'del' });
    await session.apply([gone], { kind: 'delete' });
    assert.deepEqual(await session.listUids(), [keep, other]);
    await session.close();
    assert.deepEqual(await ids('del', 'INBOX'), ['d1@reporter.example', 'd3@reporter.example']);
  });

  it("a MOVE the server refuses is `refused` with the server's reason, and nothing moves", async () => {
    const uids = [await dovecot.appendMessage('locked', 'INBOX', message('l1')), await dovecot.appendMessage('locked', 'INBOX', message('l2'))];
    await dovecot.appendMessage('locked', 'DMARC/archive', message('l0'));
    // Another live process (this one) holds the archive's uidlist lock, as a Dovecot process in
    // the middle of a delivery does: Dovecot gives up after mail_max_lock_timeout and says NO.
    const lock = join(dovecot.maildir('locked'), '.DMARC.archive', 'dovecot-uidlist.lock');
    writeFileSync(lock, `${process.pid}:${hostname()}`);
    const session = await open({ user: 'locked' });
    try {
      await rejectsWith(
        session.apply(uids, { kind: 'move', to: 'DMARC/archive' }),
        'refused',
        new RegExp(`^imap 127\\.0\\.0\\.1:${dovecot.imapsPort}: could not move messages ${uids[0]}:${uids[1]} to "DMARC/archive" \\(Timeout while waiting for lock`),
      );
      assert.deepEqual(await session.listUids(), uids);
      unlinkSync(lock);
      await session.apply(uids, { kind: 'move', to: 'DMARC/archive' }); // the same session goes on
      assert.deepEqual(await session.listUids(), []);
    } finally {
      await session.close();
    }
    assert.deepEqual(await ids('locked', 'DMARC/archive'), ['l0', 'l1', 'l2'].map((m) => `${m}@reporter.example`));
  });
});

describe('IDLE', () => {
  it('waitForNews resolves soon after an APPEND from another connection, and promptly on abort', async () => {
    await dovecot.appendMessage('idle', 'INBOX', message('before'));
    const session = await open({ user: 'idle' });
    try {
      const controller = new AbortController();
      let appendedAt = 0;
      const woke = session.waitForNews(controller.signal).then(() => performance.now());
      setTimeout(() => {
        appendedAt = performance.now();
        void dovecot.appendMessage('idle', 'INBOX', message('news'));
      }, 300);
      const wokeAt = await woke;
      assert.ok(appendedAt > 0, 'woke before the APPEND');
      assert.ok(wokeAt - appendedAt < 2_000, `woke ${Math.round(wokeAt - appendedAt)} ms after the APPEND`);
      assert.equal((await session.listUids()).length, 2);

      const abort = new AbortController();
      const started = performance.now();
      setTimeout(() => abort.abort(), 100);
      await session.waitForNews(abort.signal);
      assert.ok(performance.now() - started < 1_000, `abort took ${Math.round(performance.now() - started)} ms`);
      // IDLE ended cleanly: the session goes on.
      assert.equal((await session.listUids()).length, 2);

      const aborted = AbortSignal.abort();
      await session.waitForNews(aborted);

      // close() during the wait ends it (shutdown), it is not a lost connection.
      const waiting = session.waitForNews(new AbortController().signal);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await session.close();
      await waiting;
    } finally {
      await session.close();
    }
  });
});

describe('a server that dies mid-session', () => {
  it('the next call rejects with `lost` at once, an IDLE wait rejects too, and close() does not hang', async () => {
    const doomed = await startDovecot({ users: { dmarc: 'secret' } });
    const ca = join(dir, 'doomed-ca.pem');
    writeFileSync(ca, doomed.caPem);
    try {
      for (let i = 0; i < 3; i++) await doomed.appendMessage('dmarc', 'INBOX', message(`k${i}`));
      const config = imapConfig({ port: doomed.imapsPort, caFile: ca });
      const connector = createImapConnector(config, silentLogger, { connectTimeoutMs: 2_000 });
      const busy = await connector.open('INBOX');
      const idle = await connector.open('INBOX');
      const uids = await busy.listUids();
      const waiting = idle.waitForNews(new AbortController().signal);
      await new Promise((resolve) => setTimeout(resolve, 100)); // IDLE has begun

      doomed.kill();
      const started = performance.now();
      await rejectsWith(waiting, 'lost', new RegExp(`^imap 127\\.0\\.0\\.1:${doomed.imapsPort}: connection lost \\(`));
      await rejectsWith(collect(busy.fetch(uids)), 'lost', /connection lost/);
      await rejectsWith(busy.listUids(), 'lost', /connection lost/);
      await rejectsWith(busy.apply(uids, { kind: 'move', to: 'DMARC/archive' }), 'lost', /connection lost/);
      await busy.close();
      await idle.close();
      assert.ok(performance.now() - started < 3_000, `took ${Math.round(performance.now() - started)} ms`);

      // Opening again while it is down is a connect failure, quickly. (SIGKILL returns before the
      // kernel has closed the dead listener: wait until the port refuses, or a connect in that
      // window is accepted and reset instead.)
      await portClosed(doomed.imapsPort);
      await rejectsWith(connector.open('INBOX'), 'connect', /connection refused/);
      // And after a restart the same connector works again.
      await doomed.restart();
      const back = await connector.open('INBOX');
      assert.deepEqual(await back.listUids(), uids);
      await back.close();
    } finally {
      await doomed.stop();
    }
  });
});

describe('a server killed during a FETCH', () => {
  it('the fetch rejects with `lost` (or completes, if everything had arrived), never hangs', async () => {
    const doomed = await startDovecot({ users: { dmarc: 'secret' } });
    const ca = join(dir, 'doomed2-ca.pem');
    writeFileSync(ca, doomed.caPem);
    try {
      // 40 × 256 KB: more than the socket buffers hold, so most is still on the server side.
      const big = 'y'.repeat(76) + '\r\n';
      for (let i = 0; i < 40; i++) await doomed.appendMessage('dmarc', 'INBOX', message(`big${i}`, big.repeat(3_300)));
      const session = await createImapConnector(imapConfig({ port: doomed.imapsPort, caFile: ca }), silentLogger).open('INBOX');
      const uids = await session.listUids();
      const started = performance.now();
      let seen = 0;
      const outcome = await (async () => {
        for await (const _ of session.fetch(uids)) {
          if (seen++ === 0) doomed.kill();
        }
        return 'completed';
      })().catch((e: unknown) => e);
      assert.ok(performance.now() - started < 3_000, `took ${Math.round(performance.now() - started)} ms`);
      if (outcome !== 'completed') {
        assert.ok(outcome instanceof MailboxError && outcome.kind === 'lost', String(outcome));
        assert.ok(seen < uids.length);
      } else {
        assert.equal(seen, uids.length);
      }
      await rejectsWith(session.listUids(), 'lost', /connection lost/);
      await session.close();
    } finally {
      await doomed.stop();
    }
  });
});

describe('pure parts', () => {
  it('uidSet collapses runs', () => {
    assert.equal(uidSet([5, 1, 2, 3, 7, 8, 10, 3]), '1:3,5,7:8,10');
    assert.equal(uidSet([42]), '42');
    assert.equal(uidSet([]), '');
  });

  it('serverPath joins with the delimiter', () => {
    assert.equal(serverPath('DMARC/archive', '.'), 'DMARC.archive');
    assert.equal(serverPath('DMARC/archive', '/'), 'DMARC/archive');
    assert.equal(serverPath('INBOX', '.'), 'INBOX');
    assert.equal(serverPath('a/b/c', null), 'a/b/c');
  });

  it('failure messages: one line each, with the kind', () => {
    const endpoint = { host: 'imap.example.com', port: 993, user: 'dmarc', secure: true, token: false };
    const cases: [object, MailboxErrorKind, RegExp][] = [
      [{ code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }, 'tls', /TLS certificate has expired; set \[imap\] ca_file/],
      [{ code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: "Hostname/IP does not match certificate's altnames" }, 'tls', /not valid for imap\.example\.com/],
      [{ message: 'Server does not support STARTTLS', tlsFailed: true }, 'tls', /does not offer STARTTLS/],
      [{ code: 'CONNECT_TIMEOUT', message: 'Failed to establish connection in required time' }, 'connect', /cannot connect: timed out after 30 s \(CONNECT_TIMEOUT\)/],
      [{ code: 'EHOSTUNREACH' }, 'connect', /host unreachable/],
      [{ code: 'GREETING_TIMEOUT' }, 'connect', /no IMAP greeting/],
    ];
    for (const [error, kind, pattern] of cases) {
      const mapped = connectFailure(error, endpoint, 30_000);
      assert.equal(mapped.kind, kind, mapped.message);
      assert.match(mapped.message, pattern);
      assert.ok(mapped.message.startsWith('imap imap.example.com:993: '));
    }
    assert.match(connectFailure({ code: 'ECONNREFUSED' }, { ...endpoint, host: '::1' }, 1).message, /^imap \[::1\]:993: /);
    assert.equal(lostConnection({ code: 'ECONNRESET' }, endpoint).message, 'imap imap.example.com:993: connection lost (connection reset, ECONNRESET)');
    assert.equal(lostConnection(null, endpoint, 'Server shutting down.').message, 'imap imap.example.com:993: connection lost (server said: Server shutting down.)');
  });
});

/** Resolves once nothing listens on the port any more (ECONNREFUSED), within two seconds. */
async function portClosed(port: number): Promise<void> {
  const deadline = Date.now() + 2_000;
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
    });
    if (refused) return;
    if (Date.now() > deadline) throw new Error(`port ${port} still accepts connections`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
