/**
 * Mailbox names in our configuration use '/' for hierarchy (`DMARC/archive`); servers use their
 * own delimiter (RFC 9051 §6.3.9 LIST): '.' on Dovecot's Maildir++ default and Courier, '/' on
 * Gmail and Exchange. Translate once, where a name meets the server.
 */
export function serverPath(name: string, delimiter: string | null | undefined): string {
  if (delimiter === null || delimiter === undefined || delimiter === '' || delimiter === '/') return name;
  return name.split('/').join(delimiter);
}
