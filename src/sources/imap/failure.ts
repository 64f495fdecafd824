/**
 * imapflow and socket failures → our MailboxError, with one line a person can act on. Pure: takes
 * the error object and where we were, returns the typed error (the original stays as `cause`).
 *
 *   imap 127.0.0.1:1993: authentication failed for user dmarc (wrong password)
 *   imap nosuch.invalid:993: cannot connect: host not found (ENOTFOUND)
 *   imap 127.0.0.1:1993: TLS certificate not trusted (self-signed certificate); set [imap] ca_file or tls_reject_unauthorized = false
 *   imap 127.0.0.1:1993: mailbox "Nope" does not exist
 *   imap 127.0.0.1:1993: connection lost (server closed the connection)
 */
import { MailboxError } from '../../errors.js';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly secure: boolean;
  /** true when logging in with an OAuth2 access token rather than a password. */
  readonly token: boolean;
}

/** What imapflow attaches to its errors (imapflow's ImapFlowError); all optional. */
interface ImapFlowFields {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly authenticationFailed?: unknown;
  readonly tlsFailed?: unknown;
  readonly mailboxMissing?: unknown;
  readonly responseText?: unknown;
  readonly responseStatus?: unknown;
  readonly serverResponseCode?: unknown;
  readonly reason?: unknown;
}

export const label = (e: Pick<Endpoint, 'host' | 'port'>): string => `imap ${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`;

const fieldsOf = (error: unknown): ImapFlowFields => (typeof error === 'object' && error !== null ? (error as ImapFlowFields) : {});
const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

const TRUST_HINT = 'set [imap] ca_file or tls_reject_unauthorized = false';

/** Node's certificate verification codes (tls.TLSSocket#authorizationError) that mean "not
 * signed by a CA we trust", in our words: Node's own text varies between versions. */
const UNTRUSTED: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'issuer unknown',
  UNABLE_TO_GET_ISSUER_CERT: 'issuer unknown',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'issuer unknown',
  CERT_UNTRUSTED: 'untrusted',
  CERT_SIGNATURE_FAILURE: 'bad signature',
  CERT_REJECTED: 'rejected',
};

const NETWORK: Readonly<Record<string, string>> = {
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed (DNS unavailable)',
  EAI_FAIL: 'host name lookup failed',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
  CONNECT_TIMEOUT: 'timed out',
  EPIPE: 'connection closed',
};

/** A failure while connecting, upgrading to TLS or logging in. */
export function connectFailure(error: unknown, endpoint: Endpoint, timeoutMs: number): MailboxError {
  const where = label(endpoint);
  const f = fieldsOf(error);
  const code = typeof f.code === 'string' ? f.code : '';
  const message = text(f.message) ?? String(error);
  const options = { cause: error };

  if (f.authenticationFailed === true) {
    const why = endpoint.token ? 'wrong or expired access token' : 'wrong password';
    return new MailboxError('auth', `${where}: authentication failed for user ${endpoint.user} (${why})`, options);
  }
  const untrusted = UNTRUSTED[code];
  if (untrusted !== undefined) {
    return new MailboxError('tls', `${where}: TLS certificate not trusted (${untrusted}); ${TRUST_HINT}`, options);
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new MailboxError(
      'tls',
      `${where}: TLS certificate is not valid for ${endpoint.host} (${message}); use a host name the certificate names, or ${TRUST_HINT}`,
      options,
    );
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new MailboxError('tls', `${where}: TLS certificate ${code === 'CERT_HAS_EXPIRED' ? 'has expired' : 'is not valid yet'}; ${TRUST_HINT}`, options);
  }
  if (/STARTTLS/i.test(message) && f.tlsFailed === true && !/handshake/i.test(message)) {
    return new MailboxError('tls', `${where}: the server does not offer STARTTLS; use secure = true on the implicit-TLS port (993)`, options);
  }
  if (code.startsWith('ERR_SSL_') || code === 'EPROTO' || f.tlsFailed === true) {
    const hint = endpoint.secure ? `; is ${endpoint.port} an implicit-TLS port? For STARTTLS (port 143) set secure = false` : '';
    return new MailboxError('tls', `${where}: TLS handshake failed (${message})${hint}`, options);
  }
  const network = NETWORK[code];
  if (network !== undefined) {
    const detail = code === 'CONNECT_TIMEOUT' || code === 'ETIMEDOUT' ? ` after ${Math.round(timeoutMs / 1000)} s` : '';
    return new MailboxError('connect', `${where}: cannot connect: ${network}${detail} (${code})`, options);
  }
  if (code === 'GREETING_TIMEOUT') {
    const hint = endpoint.secure ? '' : '; if this is an implicit-TLS port (993) set secure = true';
    return new MailboxError('connect', `${where}: cannot connect: no IMAP greeting${hint} (${code})`, options);
  }
  const reason = text(f.reason) ?? text(f.responseText) ?? message;
  return new MailboxError('connect', `${where}: cannot connect: ${reason}${code !== '' ? ` (${code})` : ''}`, options);
}

/** SELECT of the mailbox to poll failed. */
export function openFailure(error: unknown, endpoint: Endpoint, mailbox: string): MailboxError {
  const f = fieldsOf(error);
  const where = label(endpoint);
  if (f.mailboxMissing === true) return new MailboxError('mailbox-missing', `${where}: mailbox "${mailbox}" does not exist`, { cause: error });
  if (f.responseStatus === 'NO' || f.responseStatus === 'BAD') {
    const why = text(f.responseText) ?? 'refused';
    return new MailboxError('mailbox-missing', `${where}: mailbox "${mailbox}" cannot be opened (${why})`, { cause: error });
  }
  return lostConnection(error, endpoint);
}

/** The connection went away (server stopped, network dropped, socket timeout). */
export function lostConnection(error: unknown, endpoint: Endpoint, byeReason?: string): MailboxError {
  const f = fieldsOf(error);
  const code = typeof f.code === 'string' ? f.code : '';
  const why =
    text(byeReason) !== null
      ? `server said: ${byeReason}`
      : code === 'NoConnection' || code === 'EConnectionClosed' || code === ''
        ? 'server closed the connection'
        : `${NETWORK[code] ?? text(f.message) ?? code}, ${code}`;
  return new MailboxError('lost', `${label(endpoint)}: connection lost (${why})`, { cause: error });
}

/** A command the server answered with NO / BAD on a healthy connection. */
export function refused(endpoint: Endpoint, what: string, error?: unknown): MailboxError {
  const why = text(fieldsOf(error).responseText);
  return new MailboxError('refused', `${label(endpoint)}: ${what}${why !== null ? ` (${why})` : ''}`, { cause: error });
}
