/**
 * How a setting is named in a message: by where its value came from. A value from the file is
 * `ruaflow.toml: [imap] port` with a TOML example (`port = 993`); a value from the environment is
 * `environment: RUAFLOW_IMAP_PORT` with an environment example (`RUAFLOW_IMAP_PORT=993`), so the
 * fix a message suggests can be written where the mistake was made.
 */
import type { Context } from './context.js';
import { DOMAINS, type Example, type KeySpec } from './schema.js';

export const ENV_PREFIX = 'RUAFLOW_';

/** `RUAFLOW_<SECTION>_<KEY>`. */
export const envName = (section: string, key: string): string => `${ENV_PREFIX}${section}_${key}`.toUpperCase();

/** The place a key lives, as a user would find it: `[imap]`, `[[domains]] #2`. */
export function tableName(section: string, index: number | undefined): string {
  return index === undefined ? `[${section}]` : `[[${section}]] #${index + 1}`;
}

/** `ruaflow.toml: [imap] port` or `environment: RUAFLOW_IMAP_PORT`. */
export function describeKey(section: string, key: string, index: number | undefined, ctx: Context): string {
  const env = envOrigin(section, key, index, ctx);
  if (env !== undefined) return `environment: ${env}`;
  return `${ctx.fileLabel ?? 'configuration'}: ${tableName(section, index)} ${key}`;
}

/** `port = 993` or `RUAFLOW_IMAP_PORT=993`, as the value was written. */
export function exampleFor(section: string, key: string, spec: KeySpec, index: number | undefined, ctx: Context): string {
  const env = envOrigin(section, key, index, ctx);
  if (env === 'RUAFLOW_DOMAINS') return 'RUAFLOW_DOMAINS=example.com,example.org';
  if (env !== undefined) return `${env}=${envValue(spec.example)}`;
  return `${key} = ${tomlValue(spec.example)}`;
}

function envOrigin(section: string, key: string, index: number | undefined, ctx: Context): string | undefined {
  if (index !== undefined) return key === 'name' ? ctx.fromEnv.get(DOMAINS) : undefined;
  return ctx.fromEnv.get(`${section}.${key}`);
}

export const tomlValue = (v: Example): string =>
  Array.isArray(v) ? `[${v.map((s) => JSON.stringify(s)).join(', ')}]` : JSON.stringify(v);

export const envValue = (v: Example): string => (Array.isArray(v) ? v.join(',') : String(v));
