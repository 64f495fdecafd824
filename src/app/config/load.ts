/**
 * The edge of configuration: the only place that reads the file, the secret files and the
 * process's working directory, and the one place a problem from the pure core (parse.ts) becomes
 * a thrown ConfigError, with the problem's one-line message unchanged.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../../errors.js';
import { describeFsError, errorCode } from '../../platform/fs-errors.js';
import type { Config } from '../../types/config.js';
import type { ReadSecret } from './context.js';
import type { Env } from './env.js';
import { configFromToml, type ParseWhere } from './parse.js';
import type { ConfigResult } from './problem.js';
import { DATABASE_KEYS } from './schema.js';

/** Relative to the working directory (schema.ts, `[database] path`). */
export const DEFAULT_DATABASE_PATH = DATABASE_KEYS.path.default;
/** Read from the working directory when present, without `--config`. */
export const DEFAULT_CONFIG_FILE = 'ruaflow.toml';

export interface LoadConfigOptions {
  /** `--config FILE`; must exist. Without it `./ruaflow.toml` is used when present. */
  readonly configPath?: string | undefined;
  readonly env: Env;
  readonly cwd: string;
}

export async function loadConfig(options: LoadConfigOptions): Promise<Config> {
  const { configPath, env, cwd } = options;
  const label = configPath ?? DEFAULT_CONFIG_FILE;
  const file = resolve(cwd, label);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (configPath === undefined && errorCode(error) === 'ENOENT') {
      return orThrow(configFromToml('', env, null, { cwd, readSecret: readSecretFile }));
    }
    const why = errorCode(error) === 'ENOENT' ? 'no such file' : describeFsError(error);
    throw new ConfigError(`${label}: cannot read the configuration file: ${why}`, { cause: error });
  }
  return orThrow(configFromToml(text, env, label, { cwd, fileDir: dirname(file), readSecret: readSecretFile }));
}

const readSecretFile: ReadSecret = (path) => readFileSync(path, 'utf8');

/**
 * configFromToml for callers that want a Config or a ConfigError (tests, and front ends that
 * build a configuration from text). Without `where.cwd` the process's working directory is used.
 */
export function parseConfig(text: string, env: Env, fileLabel: string | null, where: Partial<ParseWhere> = {}): Config {
  const { cwd = process.cwd(), ...rest } = where;
  return orThrow(configFromToml(text, env, fileLabel, { ...rest, cwd }));
}

/** The configuration with no file and no environment, paths resolved against `cwd`. */
export function defaultConfig(cwd: string): Config {
  return orThrow(configFromToml('', {}, null, { cwd }));
}

function orThrow(result: ConfigResult): Config {
  if (result.ok) return result.config;
  const { message, cause } = result.error;
  throw cause === undefined ? new ConfigError(message) : new ConfigError(message, { cause });
}
