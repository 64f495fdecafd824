/**
 * A real Dovecot 2.3 for tests (STYLE.md 13): generated configuration in a temporary folder,
 * `dovecot -F -c <conf>` as a child process, IMAP (STARTTLS) and IMAPS on free loopback ports, a
 * self-signed certificate, one Maildir per user. Always call `stop()` (in `after()`).
 *
 *   const dovecot = await startDovecot({ users: { dmarc: 'secret' } });
 *   await dovecot.appendMessage('dmarc', 'INBOX', bytes);
 *   …
 *   await dovecot.stop();
 *
 * Runs as root (CI) with Dovecot's own `dovecot` / `dovenull` users, or as an ordinary user with
 * that user everywhere. Access tokens (XOAUTH2 / OAUTHBEARER) are checked by Dovecot 2.3 as if
 * they were passwords against the passwd-file, so `{ user, accessToken: password }` logs in:
 * that exercises the client's SASL exchange without an OAuth server.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';

const run = promisify(execFile);

export interface DovecotOptions {
  /** user → password; default { dmarc: 'secret' }. */
  readonly users?: Readonly<Record<string, string>>;
  /** SASL mechanisms offered; default plain, login, xoauth2, oauthbearer. imapflow prefers
   * OAUTHBEARER over XOAUTH2 for access tokens, so leave oauthbearer out to test XOAUTH2. */
  readonly mechanisms?: readonly string[];
  /** Hierarchy separator of the user namespace. Dovecot's Maildir++ default '.' makes
   * `DMARC/archive` arrive as `DMARC.archive`, which is what the delimiter handling is for. */
  readonly separator?: '.' | '/';
  /** Dovecot's mail_max_lock_timeout in seconds: how long a command waits for a mailbox lock
   * another process holds before the server refuses it. Default: Dovecot's own (minutes). */
  readonly lockTimeoutSeconds?: number;
  /** How long to wait for the greeting before giving up (with the log tail). */
  readonly startTimeoutMs?: number;
}

export interface ListedMessage {
  readonly uid: number;
  readonly flags: readonly string[];
  /** Message-ID without <>, null when absent. */
  readonly messageId: string | null;
  readonly bytes: Buffer;
}

export interface Dovecot {
  readonly host: '127.0.0.1';
  /** Plain IMAP; LOGIN only after STARTTLS (disable_plaintext_auth). */
  readonly imapPort: number;
  /** Implicit TLS. */
  readonly imapsPort: number;
  /** The self-signed certificate (CN=localhost, SAN IP:127.0.0.1 and DNS:localhost), PEM. */
  readonly caPem: string;
  readonly users: Readonly<Record<string, string>>;
  readonly separator: '.' | '/';
  /** The Dovecot log file (every login, error and disconnect). */
  readonly logPath: string;
  maildir(user: string): string;
  /** The last lines of the Dovecot log, for assertion messages. */
  logTail(lines?: number): string;
  /** APPEND over IMAPS (one cached connection per user), creating the mailbox when missing.
   * Mailbox names use '/' as hierarchy separator, as the configuration does. Returns the UID. */
  appendMessage(user: string, mailbox: string, bytes: Uint8Array | string, flags?: readonly string[]): Promise<number>;
  /** Every message of a mailbox, in UID order; [] when the mailbox does not exist. */
  listMailbox(user: string, mailbox: string): Promise<ListedMessage[]>;
  /** The user's mailbox names, '/'-separated, sorted. */
  mailboxes(user: string): Promise<string[]>;
  /** Stop Dovecot if it runs, then start it again on the same ports and Maildirs (also after `kill()`). */
  restart(): Promise<void>;
  /** SIGKILL the whole Dovecot process group now: every client connection drops. The master
   * dies last, after it has reaped the others (see groupMembers); restart() waits for that. */
  kill(): void;
  /** Log out the helper connections, SIGTERM Dovecot, wait for it, remove the folder. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_USERS: Readonly<Record<string, string>> = { dmarc: 'secret' };
const DEFAULT_MECHANISMS = ['plain', 'login', 'xoauth2', 'oauthbearer'] as const;
const STOP_TIMEOUT_MS = 5_000;
/** kill(): how long the master gets to reap its killed children before it is killed too. */
const REAP_TIMEOUT_MS = 2_000;

/** Every Dovecot started and not yet stopped: killed if the test process exits without stop(). */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // detached: the master leads its own process group, so this reaches its children too.
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** PIDs in process group `pgid` (Linux /proc; field 5 of stat, counted after the command name,
 * which may itself contain spaces and parentheses). */
function groupMembers(pgid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) pids.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

export async function startDovecot(options: DovecotOptions = {}): Promise<Dovecot> {
  const users = { ...(options.users ?? DEFAULT_USERS) };
  for (const [user, password] of Object.entries(users)) {
    if (!/^[A-Za-z0-9._-]+$/.test(user) || /[:\n]/.test(password)) throw new Error(`dovecot helper: unusable user ${user}`);
  }
  const separator = options.separator ?? '.';
  const mechanisms = options.mechanisms ?? DEFAULT_MECHANISMS;
  const dir = mkdtempSync(join(tmpdir(), 'ruaflow-dovecot-'));
  const paths = {
    conf: join(dir, 'dovecot.conf'),
    passwd: join(dir, 'passwd'),
    cert: join(dir, 'cert.pem'),
    key: join(dir, 'key.pem'),
    log: join(dir, 'dovecot.log'),
    run: join(dir, 'run'),
    state: join(dir, 'state'),
    mail: join(dir, 'mail'),
  };
  try {
    const account = accountFor();
    // Dovecot's auth and imap processes run as `account`, not as us: they must reach these.
    chmodSync(dir, 0o755);
    for (const d of [paths.run, paths.state, paths.mail]) mkdirSync(d, { mode: 0o755 });
    chownSync(paths.mail, account.uid, account.gid);
    writeFileSync(paths.passwd, Object.entries(users).map(([u, p]) => `${u}:{PLAIN}${p}\n`).join(''), { mode: 0o644 });
    // EC P-256 rather than RSA 2048: the same trust checks, generated in milliseconds.
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', paths.key, '-out', paths.cert, '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
    const caPem = readFileSync(paths.cert, 'utf8');
    const [imapPort = 0, imapsPort = 0] = await freePorts(2);
    writeFileSync(paths.conf, config({ paths, account, imapPort, imapsPort, mechanisms, separator, lockTimeoutSeconds: options.lockTimeoutSeconds ?? null }));

    const instance = new DovecotInstance(dir, paths, users, separator, caPem, imapPort, imapsPort);
    await instance.start(options.startTimeoutMs ?? 15_000);
    return instance;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

interface Account {
  readonly uid: number;
  readonly gid: number;
  readonly internalUser: string;
  readonly loginUser: string;
  /** Group of Dovecot's internal sockets; null keeps Dovecot's default (`dovecot`). */
  readonly internalGroup: string | null;
}

/** As root, Dovecot's own unprivileged users (it refuses to run its processes as root); as
 * anyone else, that user for everything. */
function accountFor(): Account {
  const me = userInfo();
  if (me.uid !== 0) {
    const group = readFileSync('/etc/group', 'utf8')
      .split('\n')
      .map((l) => l.split(':'))
      .find((f) => Number(f[2]) === me.gid)?.[0];
    return { uid: me.uid, gid: me.gid, internalUser: me.username, loginUser: me.username, internalGroup: group ?? String(me.gid) };
  }
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('dovecot:'));
  const fields = line?.split(':');
  const uid = Number(fields?.[2]);
  const gid = Number(fields?.[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new Error('dovecot helper: running as root but there is no `dovecot` system user (install dovecot-imapd)');
  }
  return { uid, gid, internalUser: 'dovecot', loginUser: 'dovenull', internalGroup: null };
}

function config(c: {
  paths: Record<'passwd' | 'cert' | 'key' | 'log' | 'run' | 'state' | 'mail', string>;
  account: Account;
  imapPort: number;
  imapsPort: number;
  mechanisms: readonly string[];
  separator: string;
  lockTimeoutSeconds: number | null;
}): string {
  const { paths, account } = c;
  return `# generated by test/helpers/dovecot.ts (Dovecot 2.3 syntax)
protocols = imap
listen = 127.0.0.1
base_dir = ${paths.run}
state_dir = ${paths.state}
log_path = ${paths.log}
ssl = yes
ssl_cert = <${paths.cert}
ssl_key = <${paths.key}
disable_plaintext_auth = yes
auth_mechanisms = ${c.mechanisms.join(' ')}
# A wrong password in a test should fail now, not after Dovecot's default 2 s.
auth_failure_delay = 0
default_internal_user = ${account.internalUser}
default_login_user = ${account.loginUser}
${account.internalGroup !== null ? `default_internal_group = ${account.internalGroup}\n` : ''}first_valid_uid = ${account.uid}
first_valid_gid = ${account.gid}
mail_location = maildir:${paths.mail}/%u
mail_max_userip_connections = 200
# Test mail is disposable: no fsync per saved message (APPEND of 2,000 messages in seconds).
mail_fsync = never
${c.lockTimeoutSeconds !== null ? `mail_max_lock_timeout = ${c.lockTimeoutSeconds}s\n` : ''}namespace inbox {
  inbox = yes
  separator = ${c.separator}
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${paths.passwd}
}
userdb {
  driver = static
  args = uid=${account.uid} gid=${account.gid} home=${paths.mail}/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${c.imapPort}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${c.imapsPort}
    ssl = yes
  }
}
service anvil {
  chroot =
  # No growing delay for an IP after failed logins (the tests fail some on purpose).
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`;
}

/** Distinct free loopback ports: hold them all open at once, then release. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

class DovecotInstance implements Dovecot {
  readonly host = '127.0.0.1' as const;
  readonly logPath: string;
  #child: ChildProcess | null = null;
  /** A kill() in progress: done once the master has exited. */
  #killing: Promise<void> = Promise.resolve();
  #output = '';
  #stopped = false;
  /** One IMAPS connection per user for appendMessage / listMailbox, and a queue per user. */
  #clients = new Map<string, ImapFlow>();
  #queues = new Map<string, Promise<unknown>>();

  constructor(
    readonly dir: string,
    readonly paths: { conf: string; log: string; mail: string },
    readonly users: Readonly<Record<string, string>>,
    readonly separator: '.' | '/',
    readonly caPem: string,
    readonly imapPort: number,
    readonly imapsPort: number,
  ) {
    this.logPath = paths.log;
  }

  maildir(user: string): string {
    return join(this.paths.mail, user);
  }

  logTail(lines = 20): string {
    let log = '';
    try {
      log = readFileSync(this.paths.log, 'utf8');
    } catch {
      // not written yet
    }
    return `${log}${this.#output}`.trimEnd().split('\n').slice(-lines).join('\n');
  }

  async start(timeoutMs: number): Promise<void> {
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const child of running) killGroup(child, 'SIGKILL');
      });
    }
    this.#output = '';
    const child = spawn('dovecot', ['-F', '-c', this.paths.conf], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    running.add(child);
    const collect = (chunk: Buffer): void => {
      this.#output = `${this.#output}${chunk.toString()}`.slice(-8_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    let spawnError: Error | null = null;
    child.once('error', (error) => (spawnError = error));
    child.once('exit', () => running.delete(child));

    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (spawnError !== null) throw new Error(`dovecot did not start: ${(spawnError as Error).message}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`dovecot exited at start (${child.exitCode ?? child.signalCode}):\n${this.logTail()}`);
      }
      if ((await greets(this.imapPort)) && (await accepts(this.imapsPort))) return;
      if (Date.now() > deadline) {
        killGroup(child, 'SIGKILL');
        throw new Error(`dovecot did not greet on 127.0.0.1:${this.imapPort} within ${timeoutMs} ms:\n${this.logTail()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  kill(): void {
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
    const master = this.#child;
    if (master?.pid === undefined || master.exitCode !== null || master.signalCode !== null) return;
    // The imap processes first, while the master is alive to reap them. A killed process whose
    // parent is gone stays a zombie where PID 1 does not reap (containers, CI), and a zombie's
    // PID passes Dovecot's is-the-lock-holder-alive check (kill(pid, 0)): a Maildir lock it held
    // during a MOVE would then block the next session for Dovecot's 2-minute stale timeout.
    const others = groupMembers(master.pid).filter((pid) => pid !== master.pid);
    for (const pid of others) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    const exited = new Promise<void>((resolve) => master.once('exit', () => resolve()));
    this.#killing = (async () => {
      const deadline = Date.now() + REAP_TIMEOUT_MS;
      while (others.some((pid) => existsSync(`/proc/${pid}`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      killGroup(master, 'SIGKILL');
      await exited;
    })();
  }

  async restart(): Promise<void> {
    await this.#halt();
    await this.start(15_000);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    try {
      await this.#halt();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /** Close helper connections, SIGTERM, wait (SIGKILL after STOP_TIMEOUT_MS). */
  async #halt(): Promise<void> {
    await this.#killing;
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    this.#queues.clear();
    await Promise.all(clients.map((c) => withTimeout(c.logout(), 1_000).catch(() => undefined).finally(() => c.close())));
    const child = this.#child;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  /** Mailbox name from the configuration's '/'-separated form to this server's. */
  #path(mailbox: string): string {
    return mailbox.split('/').join(this.separator);
  }

  /** Run `task` on the user's helper connection, one task at a time per user. */
  #withClient<T>(user: string, task: (client: ImapFlow) => Promise<T>): Promise<T> {
    const previous = this.#queues.get(user) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(async () => task(await this.#client(user)));
    this.#queues.set(user, next);
    return next;
  }

  async #client(user: string): Promise<ImapFlow> {
    const cached = this.#clients.get(user);
    if (cached?.usable === true) return cached;
    const pass = this.users[user];
    if (pass === undefined) throw new Error(`dovecot helper: no user ${user}`);
    const client = new ImapFlow({
      host: this.host,
      port: this.imapsPort,
      secure: true,
      auth: { user, pass },
      tls: { ca: this.caPem },
      logger: false,
      disableAutoIdle: true,
    });
    client.on('error', () => undefined);
    await client.connect();
    this.#clients.set(user, client);
    return client;
  }

  appendMessage(user: string, mailbox: string, bytes: Uint8Array | string, flags: readonly string[] = []): Promise<number> {
    return this.#withClient(user, async (client) => {
      const path = this.#path(mailbox);
      if (path.toUpperCase() !== 'INBOX') await client.mailboxCreate(path); // ALREADYEXISTS is fine
      const content = typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const result = await client.append(path, content, [...flags]);
      if (result === false || result.uid === undefined) throw new Error(`dovecot helper: APPEND to ${mailbox} failed:\n${this.logTail(5)}`);
      return result.uid;
    });
  }

  listMailbox(user: string, mailbox: string): Promise<ListedMessage[]> {
    return this.#withClient(user, async (client) => {
      const path = this.#path(mailbox);
      try {
        await client.mailboxOpen(path, { readOnly: true });
      } catch (error) {
        if ((error as { mailboxMissing?: boolean }).mailboxMissing === true) return [];
        throw error;
      }
      try {
        if (client.mailbox === false || client.mailbox.exists === 0) return [];
        const messages = await client.fetchAll('1:*', { uid: true, flags: true, envelope: true, source: true });
        return messages
          .map((m) => ({
            uid: m.uid,
            // \Recent belongs to the helper's session, not to the message.
            flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort(),
            messageId: m.envelope?.messageId?.replace(/^<|>$/g, '') ?? null,
            bytes: m.source ?? Buffer.alloc(0),
          }))
          .sort((a, b) => a.uid - b.uid);
      } finally {
        await client.mailboxClose();
      }
    });
  }

  mailboxes(user: string): Promise<string[]> {
    return this.#withClient(user, async (client) => {
      const list = await client.list();
      return list.map((m) => m.path.split(m.delimiter || this.separator).join('/')).sort();
    });
  }
}

/** The real greeting, not Dovecot's interim "* OK Waiting for authentication process". */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    let text = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (/^\* OK .*ready\.?\r?$/im.test(text)) done(true);
    });
    socket.on('close', () => done(false));
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
