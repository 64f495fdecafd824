/** What every check family is given: the DNS port, who we are, and the time. */
import type { DomainConfig } from '../../types/config.js';
import type { SigningKey } from '../../types/signing-keys.js';
import type { DnsResolver } from '../../ports/dns.js';

export interface CheckContext {
  /** Every lookup goes through the DNS port ([dns] servers or the system resolver); mailauth too. */
  readonly resolver: DnsResolver;
  /** Mailboxes ruaflow reads reports from ([imap] user, else [reporter] email), lower-cased. */
  readonly readMailboxes: readonly string[];
  /** Epoch seconds (signing time of the DKIM self-test). */
  readonly now: number;
}

/** One of our domains with the keys that sign its mail (src/app/signing-keys.ts). */
export interface DomainSetup {
  readonly domain: DomainConfig;
  readonly keys: readonly SigningKey[];
}
