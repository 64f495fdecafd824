/** Command-line parsing with node's util.parseArgs: strict, so a typo is a usage error. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DOMAIN_NAME } from '../mail/address-syntax.js';
import { UsageError } from '../errors.js';

export const COMMON_OPTIONS = {
  config: { type: 'string' },
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  quiet: { type: 'boolean', short: 'q', default: false },
} as const satisfies ParseArgsConfig['options'];

export interface CommonOptions {
  readonly config: string | undefined;
  readonly db: string | undefined;
  readonly json: boolean;
  readonly quiet: boolean;
}

export function parseCommand<const O extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  argv: string[],
  options: O,
  positionals: { min: number; max: number; name: string },
) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message}`);
  }
  const count = parsed.positionals.length;
  if (count < positionals.min) throw new UsageError(`${command}: expected ${positionals.name}; see ruaflow --help`);
  if (count > positionals.max) throw new UsageError(`${command}: unexpected argument "${parsed.positionals[positionals.max] ?? ''}"`);
  return parsed;
}

/** A domain as the user typed it, the way configuration holds it: lower-case, no final dot. */
export const normalizeDomain = (text: string): string => text.trim().toLowerCase().replace(/\.$/, '');

/** A domain argument (`--domain D`, `keygen DOMAIN`): normalised, and a name with a dot. */
export function domainArgument(command: string, label: string, text: string): string {
  const name = normalizeDomain(text);
  if (!DOMAIN_NAME.test(name) || !name.includes('.')) throw new UsageError(`${command}: ${label}${JSON.stringify(text)} is not a domain name`);
  return name;
}
