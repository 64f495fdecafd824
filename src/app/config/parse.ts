/**
 * The pure core of configuration, validating untrusted input once: TOML text, the environment,
 * the working directory and a secret reader in; a complete Config or the first problem out, as a
 * value. Nothing here asks the process for anything: load.ts does that and hands it in.
 *
 * Precedence: environment (`RUAFLOW_<SECTION>_<KEY>`, and `RUAFLOW_DB` for the database path) over
 * the file over defaults. The steps, each in its own file: read the TOML (toml.ts), lay the
 * environment over it (env.ts), check each key (schema.ts, messages from issues.ts), check the
 * rules between keys (rules.ts), then build the Config with defaults, absolute paths and secrets
 * (build.ts, secrets.ts).
 */
import { dirname, resolve } from 'node:path';
import { build } from './build.js';
import type { Context, ReadSecret } from './context.js';
import { applyEnv, type Env } from './env.js';
import { describeIssue, pickIssue } from './issues.js';
import { success, type ConfigResult } from './problem.js';
import { checkRelations } from './rules.js';
import { documentSchema } from './schema.js';
import { readToml } from './toml.js';

export interface ParseWhere {
  /** Working directory: relative environment values and defaults resolve against it. */
  readonly cwd: string;
  /** Folder of the config file; relative paths in the file resolve against it. Defaults to the
   * folder of `fileLabel` resolved against `cwd`. */
  readonly fileDir?: string;
  /** Reads `password_file` and `access_token_file`. Without it those paths are kept and the
   * secret stays null. */
  readonly readSecret?: ReadSecret;
}

/**
 * TOML text + environment → Config, or the problem that stops it. `fileLabel` names the file in
 * messages (null: no file, `text` is ignored).
 */
export function configFromToml(text: string, env: Env, fileLabel: string | null, where: ParseWhere): ConfigResult {
  const { cwd } = where;
  const table = fileLabel === null ? success({}) : readToml(text, fileLabel);
  if (!table.ok) return table;
  const overlaid = applyEnv(table.value, env);
  if (!overlaid.ok) return overlaid;
  const { document, fromEnv } = overlaid.value;
  const ctx: Context = {
    fileLabel,
    cwd,
    fileDir: where.fileDir ?? (fileLabel === null ? cwd : dirname(resolve(cwd, fileLabel))),
    fromEnv,
    readSecret: where.readSecret,
  };
  const checked = documentSchema.safeParse(document);
  if (!checked.success) return { ok: false, error: { message: describeIssue(pickIssue(checked.error.issues), document, ctx) } };
  const broken = checkRelations(checked.data, ctx);
  if (broken !== null) return { ok: false, error: broken };
  const config = build(checked.data, ctx);
  return config.ok ? { ok: true, config: config.value } : config;
}
