/** What every command's options hold, and the checks of values the user typed. */
import { lstatSync } from 'node:fs';
import { DOMAIN_NAME, normalizeDomain } from '../mail/address-syntax.js';

export { normalizeDomain };
import { UsageError } from '../errors.js';
import { errorCode } from '../platform/fs-errors.js';

/** The options on every command (src/cli/program.ts declares them); a flag not given is undefined. */
export interface CommonOptions {
  readonly config?: string;
  readonly db?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
}


/** A domain argument (`--domain D`, `keygen DOMAIN`): normalised, and a name with a dot. */
export function domainArgument(command: string, label: string, text: string): string {
  const name = normalizeDomain(text);
  if (!DOMAIN_NAME.test(name) || !name.includes('.')) throw new UsageError(`${command}: ${label}${JSON.stringify(text)} is not a domain name`);
  return name;
}

/** A common option the command would ignore is a usage error naming it and why (`--db` on a
 * command that opens no database). */
export function refuseIgnored(command: string, option: string, given: unknown, why: string): void {
  if (given !== undefined && given !== false) throw new UsageError(`${command}: ${option}${typeof given === 'string' ? ` ${given}` : ''} has no effect${why}`);
}

/** Paths the user named (`ingest PATH…`, `run --inbox DIR`) must be there: a typo is a usage
 * error naming the path, found before anything is opened or ingested, not an invalid input
 * (exit 3) among the valid ones. A path that is there but cannot be read (permissions, a broken
 * symbolic link) is left to the walk, which records it as an invalid input with its reason.
 * `label` is how the message names the path, e.g. `--inbox ` (empty for an operand). */
export function requireExistingPaths(command: string, label: string, paths: readonly string[]): void {
  for (const path of paths) {
    try {
      lstatSync(path);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`${command}: ${label}${path}: no such file or folder`, { cause: error });
    }
  }
}
