/**
 * What `ruaflow run` (`npm start`) does with this configuration. The demo — the reports shipped
 * in reports/inbox — only when nothing at all is configured, so that a newcomer sees ruaflow work
 * with no server; with a configuration, the configured job: poll the rua mailbox when there is an
 * [imap] section, ingest the folder `--inbox` names; and never the demo reports into a user's
 * database. A configuration with neither is an error that says what to configure, rather than an
 * overview of whatever is stored (which `ruaflow summary` gives): `run` under cron with a
 * forgotten [imap] should fail loudly, not print the same numbers every time.
 */
import { ConfigError } from '../errors.js';
import type { Config, ImapConfig } from './config.js';
import { ENV_PREFIX } from './config/naming.js';
import { SECTION_NAMES } from './config/schema.js';

export interface RunPlan {
  /** The folder to ingest (`--inbox`, or the demo's), or null. */
  readonly inbox: string | null;
  /** The mailbox to poll, or null. */
  readonly imap: ImapConfig | null;
  /** True when this is the demo: nothing configured, nothing asked. */
  readonly demo: boolean;
}

export function planRun(config: Config, env: Readonly<Record<string, string | undefined>>, inbox: string | undefined, demoInbox: string): RunPlan {
  if (config.imap !== null || inbox !== undefined) return { inbox: inbox ?? null, imap: config.imap, demo: false };
  const fromEnv = configuringVariables(env);
  if (config.file === null && fromEnv.length === 0) return { inbox: demoInbox, imap: null, demo: true };
  const where = config.file ?? `the environment (${fromEnv.join(', ')})`;
  throw new ConfigError(
    `run: nothing to poll or ingest: ${where} has no [imap]; set [imap] to poll the rua mailbox (docs/reports-in.md#polling-the-rua-mailbox), or name a folder with --inbox DIR; the demo reports are read only without any configuration`,
  );
}

/** The RUAFLOW_* variables that configure ruaflow (src/app/config/env.ts reads the same ones):
 * RUAFLOW_DB, RUAFLOW_DOMAINS and RUAFLOW_<SECTION>_<KEY>; empty ones count as unset. */
function configuringVariables(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.keys(env)
    .filter((name) => {
      const value = env[name];
      if (value === undefined || value === '' || !name.startsWith(ENV_PREFIX)) return false;
      if (name === 'RUAFLOW_DB' || name === 'RUAFLOW_DOMAINS') return true;
      const rest = name.slice(ENV_PREFIX.length).toLowerCase();
      return SECTION_NAMES.some((section) => rest.startsWith(`${section}_`));
    })
    .sort();
}
