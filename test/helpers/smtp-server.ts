/**
 * A real SMTP server (nodemailer's smtp-server, in-process) on a free loopback port, for tests
 * that send mail through src/platform/smtp-transport.ts. It keeps every accepted message with
 * its envelope, and can be scripted to answer RCPT or DATA with a 4xx/5xx reply.
 *
 *   const smtp = await startSmtpServer({ onRcpt: (to, n) => (n === 1 ? 451 : undefined) });
 *   … [smtp] host = "127.0.0.1", port = smtp.port, secure = false …
 *   smtp.messages[0].raw
 */
import { SMTPServer } from 'smtp-server';

export interface ReceivedMessage {
  readonly from: string;
  readonly to: string[];
  readonly raw: Buffer;
}

export interface SmtpServerOptions {
  /** A reply code (4xx / 5xx) to refuse RCPT TO for `address` on its `attempt`-th RCPT (1-based);
   * undefined accepts. */
  onRcpt?: (address: string, attempt: number) => number | undefined;
  /** A reply code to refuse the message after DATA (`attempt` counts DATA commands). May be
   * async: the reply waits for it (a test can kill the client between DATA and the 250). */
  onData?: (attempt: number) => number | undefined | Promise<number | undefined>;
  /** Require AUTH with this user and password. */
  auth?: { user: string; pass: string };
}

export interface SmtpTestServer {
  readonly port: number;
  readonly messages: ReceivedMessage[];
  /** RCPT attempts per address (accepted or not). */
  readonly rcptAttempts: Map<string, number>;
  stop(): Promise<void>;
}

export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<SmtpTestServer> {
  const messages: ReceivedMessage[] = [];
  const rcptAttempts = new Map<string, number>();
  let dataAttempts = 0;
  const refuse = (code: number): Error => Object.assign(new Error(code >= 500 ? 'Rejected by test server' : 'Try again later (test server)'), { responseCode: code });

  const server = new SMTPServer({
    secure: false,
    disabledCommands: options.auth === undefined ? ['AUTH', 'STARTTLS'] : ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: options.auth === undefined,
    logger: false,
    onAuth(auth, _session, callback) {
      if (options.auth !== undefined && auth.username === options.auth.user && auth.password === options.auth.pass) {
        callback(null, { user: auth.username });
      } else {
        callback(Object.assign(new Error('Invalid credentials'), { responseCode: 535 }));
      }
    },
    onRcptTo(address, _session, callback) {
      const attempt = (rcptAttempts.get(address.address) ?? 0) + 1;
      rcptAttempts.set(address.address, attempt);
      const code = options.onRcpt?.(address.address, attempt);
      callback(code === undefined ? undefined : refuse(code));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        dataAttempts++;
        void Promise.resolve(options.onData?.(dataAttempts)).then((code) => {
          if (code !== undefined) return callback(refuse(code));
          const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
          messages.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks) });
          callback();
        });
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
  return {
    port,
    messages,
    rcptAttempts,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** `body` with a new server, stopped after it (also when it throws). */
export async function withSmtpServer<T>(options: SmtpServerOptions, body: (smtp: SmtpTestServer) => Promise<T>): Promise<T> {
  const smtp = await startSmtpServer(options);
  try {
    return await body(smtp);
  } finally {
    await smtp.stop();
  }
}

/** A server whose first message waits for its 250 until `release()`: a test can stop the sender
 * between DATA and the reply. `held()` says whether that message has arrived. */
export async function startHoldingSmtpServer(): Promise<{ readonly smtp: SmtpTestServer; held(): boolean; release(): void }> {
  let held = false;
  let release: () => void = () => undefined;
  const smtp = await startSmtpServer({
    onData: (attempt) =>
      attempt === 1
        ? new Promise<undefined>((resolve) => {
            held = true;
            release = () => resolve(undefined);
          })
        : undefined,
  });
  return { smtp, held: () => held, release: () => release() };
}
