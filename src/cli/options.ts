/** What every command's options hold, and the checks of values the user typed. */
import { DOMAIN_NAME } from '../mail/address-syntax.js';
import { UsageError } from '../errors.js';

/** The options on every command (src/cli/program.ts declares them); a flag not given is undefined. */
export interface CommonOptions {
  readonly config?: string;
  readonly db?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/** A domain as the user typed it, the way configuration holds it: lower-case, no final dot. */
export const normalizeDomain = (text: string): string => text.trim().toLowerCase().replace(/\.$/, '');

/** A domain argument (`--domain D`, `keygen DOMAIN`): normalised, and a name with a dot. */
export function domainArgument(command: string, label: string, text: string): string {
  const name = normalizeDomain(text);
  if (!DOMAIN_NAME.test(name) || !name.includes('.')) throw new UsageError(`${command}: ${label}${JSON.stringify(text)} is not a domain name`);
  return name;
}
