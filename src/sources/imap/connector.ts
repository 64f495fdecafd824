/**
 * The real MailboxConnector: imapflow against the `[imap]` configuration.
 *
 * - Implicit TLS when `secure`, else STARTTLS is required (never a cleartext login).
 * - Certificates are checked unless `tls_reject_unauthorized = false`; `ca_file` is read once.
 * - A password logs in with LOGIN / AUTHENTICATE PLAIN, an access token with OAUTHBEARER or
 *   XOAUTH2 (RFC 7628; what Microsoft 365 and Gmail require), whichever the server offers.
 * - imapflow's own logging is off: our log has no debug level, and its per-command warnings
 *   would repeat what the MailboxError we throw already says.
 */
import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import { ImapFlow, type IdInfoObject } from 'imapflow';
import type { ImapConfig } from '../../types/config.js';
import { ConfigError } from '../../errors.js';
import type { Logger } from '../../ports/logger.js';
import type { MailboxConnector, MailboxSession } from '../../ports/mailbox.js';
import { connectFailure, openFailure, type Endpoint } from './failure.js';
import { serverPath } from './mailbox-path.js';
import { RefusalLog } from './refusal-log.js';
import { ImapSession } from './session.js';
import { IMAP_CONNECT_TIMEOUT_MS as DEFAULT_CONNECT_TIMEOUT_MS, IMAP_IDLE_RESTART_MS as IDLE_RESTART_MS } from '../../limits.js';

export interface ImapConnectorOptions {
  /** Sent with the ID command (RFC 2971) when the server offers it. */
  readonly clientInfo?: IdInfoObject;
  /** DNS + TCP + TLS handshake, and separately the wait for the greeting. Default 30 s. */
  readonly connectTimeoutMs?: number;
}

export function createImapConnector(config: ImapConfig, log: Logger, options: ImapConnectorOptions = {}): MailboxConnector {
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const token = config.accessToken !== null;
  const endpoint: Endpoint = { host: config.host, port: config.port, user: config.user, secure: config.secure, token };
  let ca: Promise<string | null> | null = null;

  return {
    async open(mailbox: string): Promise<MailboxSession> {
      ca ??= readCa(config.caFile);
      const caPem = await ca;
      const tls: ConnectionOptions = { rejectUnauthorized: config.tlsRejectUnauthorized, ...(caPem !== null ? { ca: caPem } : {}) };
      const refusals = new RefusalLog();
      const client = new ImapFlow({
        host: config.host,
        port: config.port,
        secure: config.secure,
        // STARTTLS required on a plain port: fail rather than log in in cleartext.
        ...(config.secure ? {} : { doSTARTTLS: true }),
        auth: token ? { user: config.user, accessToken: config.accessToken ?? '' } : { user: config.user, pass: config.password ?? '' },
        tls,
        // imapflow returns false for a command the server refused and only logs the reply;
        // keep that reply so the error can say why (e.g. Dovecot's lock timeout).
        logger: refusals.logger,
        clientInfo: options.clientInfo ?? { name: 'ruaflow' },
        // IDLE only when asked for (waitForNews), never as a side effect between commands.
        disableAutoIdle: true,
        // RFC 2177 §3: re-issue IDLE well before servers and NAT boxes drop a silent connection.
        maxIdleTime: IDLE_RESTART_MS,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
      });
      // Errors while connecting reject connect(); keep a listener so none is ever unhandled.
      client.on('error', () => undefined);
      try {
        await client.connect();
      } catch (error) {
        client.close();
        throw connectFailure(error, endpoint, timeoutMs);
      }

      const path = serverPath(mailbox, client.namespace?.delimiter);
      let opened;
      try {
        opened = await client.mailboxOpen(path);
      } catch (error) {
        client.close();
        throw openFailure(error, endpoint, mailbox);
      }
      const delimiter = opened.delimiter || client.namespace?.delimiter || '/';
      return new ImapSession(client, endpoint, log, mailbox, String(opened.uidValidity), delimiter, refusals);
    },
  };
}

async function readCa(file: string | null): Promise<string | null> {
  if (file === null) return null;
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`[imap] ca_file ${file}: cannot read it (${code}); give the PEM file of the CA that signed the server's certificate`, {
      cause: error,
    });
  }
}
