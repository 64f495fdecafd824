/**
 * Environment overrides: `RUAFLOW_<SECTION>_<KEY>` over the file's value, `RUAFLOW_DB` as the
 * shorthand for `[database] path`, `RUAFLOW_DOMAINS` for the names in `[[domains]]`. The text of a
 * variable is coerced to the key's type here; the schema then checks it like a value from the
 * file, and messages name the variable (context.ts records which values came from where).
 */
import { didYouMean } from './did-you-mean.js';
import { ENV_PREFIX, envName } from './naming.js';
import { failure, success, type Outcome } from './problem.js';
import { DOMAINS, SECTION_NAMES, SECTIONS, type KeySpec, type KeyTable, type SectionName } from './schema.js';
import { isPlainTable } from './toml.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface WithEnv {
  /** The file's tables with the environment's values laid over them. */
  readonly document: Record<string, unknown>;
  /** `section.key` (or `domains`) → the variable that set it. */
  readonly fromEnv: ReadonlyMap<string, string>;
}

/** Overlay `RUAFLOW_<SECTION>_<KEY>` values on the file's tables. Unknown variables under a known
 * section prefix are errors (a typo would otherwise be silently ignored); other `RUAFLOW_*`
 * variables belong to someone else. An empty value counts as unset (compose files and systemd
 * units often define variables empty). */
export function applyEnv(table: Record<string, unknown>, env: Env): Outcome<WithEnv> {
  const document: Record<string, unknown> = { ...table };
  const fromEnv = new Map<string, string>();
  const set = (section: SectionName, key: string, value: unknown, name: string): void => {
    const current = document[section];
    // A file section that is not a table is reported by the schema; leave it for that.
    if (current !== undefined && !isPlainTable(current)) return;
    const next: Record<string, unknown> = { ...(current as Record<string, unknown> | undefined), [key]: value };
    // A secret from the environment replaces the file's, whichever form the file used.
    if (key.endsWith('_file')) delete next[key.slice(0, -'_file'.length)];
    else if (key === 'password' || key === 'access_token') delete next[`${key}_file`];
    document[section] = next;
    fromEnv.set(`${section}.${key}`, name);
  };

  for (const name of Object.keys(env).sort()) {
    const raw = env[name];
    if (!name.startsWith(ENV_PREFIX) || raw === undefined || raw === '') continue;
    if (name === 'RUAFLOW_DB' || name === 'RUAFLOW_DOMAINS') continue;
    const rest = name.slice(ENV_PREFIX.length).toLowerCase();
    const section = SECTION_NAMES.find((s) => rest.startsWith(`${s}_`));
    if (section === undefined) continue;
    const key = rest.slice(section.length + 1);
    const spec = (SECTIONS[section] as KeyTable)[key];
    if (spec === undefined) {
      const known = Object.keys(SECTIONS[section]).map((k) => envName(section, k));
      return failure(`environment: ${name}: unknown setting; expected one of ${known.join(', ')}${didYouMean(name, known)}`);
    }
    set(section, key, coerce(raw, spec), name);
  }

  // RUAFLOW_DB is the documented shorthand (the common flags of every command); two different
  // values for one setting is a mistake worth stopping for.
  const db = env['RUAFLOW_DB'];
  if (db !== undefined && db !== '') {
    const long = env['RUAFLOW_DATABASE_PATH'];
    if (long !== undefined && long !== '' && long !== db) {
      return failure(`environment: RUAFLOW_DB and RUAFLOW_DATABASE_PATH differ (${JSON.stringify(db)} vs ${JSON.stringify(long)}); set one`);
    }
    set('database', 'path', db, 'RUAFLOW_DB');
  }

  // [[domains]] is a list of tables, which one variable cannot express in full: RUAFLOW_DOMAINS
  // (comma-separated names) says which domains are ours, keeping the file's settings for a name
  // the file also lists.
  const domains = env['RUAFLOW_DOMAINS'];
  if (domains !== undefined && domains !== '') {
    const fileDomains = Array.isArray(document[DOMAINS]) ? (document[DOMAINS] as unknown[]) : [];
    const byName = new Map(
      fileDomains.flatMap((d) => (isPlainTable(d) && typeof d['name'] === 'string' ? [[d['name'].toLowerCase(), d] as const] : [])),
    );
    document[DOMAINS] = splitList(domains).map((name) => byName.get(name.toLowerCase()) ?? { name });
    fromEnv.set(DOMAINS, 'RUAFLOW_DOMAINS');
  }
  return success({ document, fromEnv });
}

function coerce(raw: string, spec: KeySpec): unknown {
  switch (spec.coerce) {
    case 'string':
      return raw;
    case 'integer':
      // Anything else stays text, so the schema reports it with the expected form.
      return /^[+-]?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
    case 'boolean': {
      const word = raw.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(word)) return true;
      if (['false', '0', 'no', 'off'].includes(word)) return false;
      return raw;
    }
    case 'list':
      return splitList(raw);
  }
}

const splitList = (raw: string): string[] =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
