/** Command-line parsing with node's util.parseArgs: strict, so a typo is a usage error. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
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
