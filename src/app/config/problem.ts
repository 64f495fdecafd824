/**
 * What the pure configuration core returns instead of throwing: validation is a pure function
 * that returns a result, so a caller (a test, a second front end) can inspect it without
 * catching. The loader (load.ts) is the one place that turns a problem into a ConfigError, so the
 * message a user sees is exactly `problem.message`.
 */
import type { Config } from '../../types/config.js';

/** One line naming where the value came from, the key, what was expected and an example. */
export interface ConfigProblem {
  readonly message: string;
  /** The underlying fault (a TOML syntax error, a failed secret read), kept for `--debug`. */
  readonly cause?: unknown;
}

/** The outcome of one step of the core. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ConfigProblem };

/** The outcome of the whole core: a complete Config, or the first problem found. */
export type ConfigResult = { readonly ok: true; readonly config: Config } | { readonly ok: false; readonly error: ConfigProblem };

export const success = <T>(value: T): Outcome<T> => ({ ok: true, value });

export const failure = (message: string, cause?: unknown): { readonly ok: false; readonly error: ConfigProblem } => ({
  ok: false,
  error: cause === undefined ? { message } : { message, cause },
});
