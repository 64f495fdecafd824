/**
 * A temp folder for summary tests: r.sqlite and ruaflow.toml in it, the fixture reports ingested
 * by the real CLI, and `ruaflow summary --offline` over them.
 *
 *   const { dir, db, config } = summaryFolder('ruaflow-empty-');
 *   before(() => ingestFixtures({ db, config }, FIXTURES));
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ruaflow, type CliResult } from './cli.js';

export interface SummaryFolder {
  readonly dir: string;
  /** The database file, made by the first ingest. */
  readonly db: string;
  /** The configuration file, written by ingestFixtures. */
  readonly config: string;
}

/** example.com with its relay, and no [dns]: enough for the --offline summaries. */
export const ONE_DOMAIN_TOML = `[[domains]]\nname = "example.com"\nrelays = ["192.0.2.10"]\n`;

/** A new temp folder (remove it in the test's after()); nothing written in it yet. */
export function summaryFolder(prefix: string): SummaryFolder {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, db: join(dir, 'r.sqlite'), config: join(dir, 'ruaflow.toml') };
}

/** Writes `toml` as the configuration and ingests `fixtures` with `ruaflow ingest --json` (exit 0). */
export async function ingestFixtures(folder: Pick<SummaryFolder, 'db' | 'config'>, fixtures: string, toml = ONE_DOMAIN_TOML): Promise<CliResult> {
  writeFileSync(folder.config, toml);
  const ingest = await ruaflow(['ingest', '--db', folder.db, '--json', fixtures]);
  assert.equal(ingest.code, 0, ingest.stderr);
  return ingest;
}

/** `ruaflow summary --offline` with `args` over the folder (exit 0): what it prints. */
export async function offlineSummary(folder: Pick<SummaryFolder, 'db' | 'config'>, args: readonly string[]): Promise<string> {
  const r = await ruaflow(['summary', '--db', folder.db, '--config', folder.config, '--offline', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}
