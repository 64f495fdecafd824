/**
 * What the configuration core knows besides the document: where the file and the working
 * directory are, which values the environment set, and how to read a secret file. The core
 * receives all of it as arguments; only the loader (load.ts) asks the process.
 */

/** Reads a secret file (an absolute path) as text; throws as `fs.readFileSync` does. */
export type ReadSecret = (absolutePath: string) => string;

/** Where a value came from: the file, or the named environment variable. */
export type Origin = { readonly kind: 'file' } | { readonly kind: 'env'; readonly name: string };
const FROM_FILE: Origin = { kind: 'file' };

export interface Context {
  /** The file as named in messages, or null when there is none. */
  readonly fileLabel: string | null;
  /** Relative environment values and defaults resolve against it. */
  readonly cwd: string;
  /** Relative values from the file resolve against it. */
  readonly fileDir: string;
  /** `section.key` → environment variable, for values the environment set. */
  readonly fromEnv: ReadonlyMap<string, string>;
  /** Reads `password_file` and `access_token_file`; without it those secrets stay null. */
  readonly readSecret: ReadSecret | undefined;
}

export function originOf(section: string, key: string, ctx: Context): Origin {
  const name = ctx.fromEnv.get(`${section}.${key}`);
  return name === undefined ? FROM_FILE : { kind: 'env', name };
}
