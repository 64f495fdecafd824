/**
 * `ruaflow check`: for each of our domains, the DMARC, SPF and DKIM checks
 * (src/analyze/check/), all lookups through the one DNS port. The families run in parallel per
 * domain; results keep a fixed order (DMARC, SPF, DKIM) so output is stable.
 */
import { isMailbox } from '../mail/address-syntax.js';
import type { Config, DomainConfig } from '../types/config.js';
import type { SigningKeys } from '../types/signing-keys.js';
import { checkDkim } from '../analyze/check/dkim.js';
import { checkDmarc } from '../analyze/check/dmarc.js';
import { checkSpf } from '../analyze/check/spf.js';
import type { CheckContext, DomainSetup } from '../analyze/check/context.js';
import type { DomainChecks } from '../analyze/check/types.js';
import { UsageError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { DnsResolver } from '../ports/dns.js';

export interface CheckDeps {
  readonly config: Config;
  readonly keys: SigningKeys;
  readonly resolver: DnsResolver;
  readonly clock: Clock;
}

export async function runChecks(deps: CheckDeps, options: { domain?: string | undefined }): Promise<DomainChecks[]> {
  const ctx: CheckContext = { resolver: deps.resolver, readMailboxes: readMailboxes(deps.config), now: deps.clock.now() };
  return Promise.all(selectDomains(deps.config, options.domain).map((domain) => checkDomain({ domain, keys: deps.keys.forDomain(domain.name) }, ctx)));
}

async function checkDomain(setup: DomainSetup, ctx: CheckContext): Promise<DomainChecks> {
  const [dmarc, spf, dkim] = await Promise.all([checkDmarc(setup, ctx), checkSpf(setup, ctx), checkDkim(setup, ctx)]);
  return { domain: setup.domain.name, checks: [...dmarc, ...spf, ...dkim] };
}

/** `--domain D` (normalised by the command line) picks one configured domain; a domain not in
 * the configuration is checked too, as one with no relays, services or keys (its DKIM check says so). */
function selectDomains(config: Config, only: string | undefined): DomainConfig[] {
  if (only !== undefined) {
    const name = only;
    return [config.domains.find((d) => d.name === name) ?? { name, dkimKeysDir: null, keys: [], retiredSelectors: [], relays: [], services: [], summaryTo: [] }];
  }
  if (config.domains.length === 0) {
    throw new UsageError(`check: no [[domains]] in ${config.file ?? 'the configuration (no ruaflow.toml found)'}; add one (e.g. [[domains]] name = "example.com") or pass --domain D`);
  }
  return [...config.domains];
}

/** The mailboxes ruaflow reads rua reports from: `[imap] user` when it is an address, then our
 * own rua mailboxes (`[outbound] own_rua`, which always holds `[reporter] email`). */
export function readMailboxes(config: Config): string[] {
  const user = config.imap?.user;
  const imap = user !== undefined && isMailbox(user) ? [user.toLowerCase()] : [];
  return [...new Set([...imap, ...config.outbound.ownRua])];
}
