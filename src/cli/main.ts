#!/usr/bin/env node
/**
 * argv → command → exit code. Commands are loaded on demand so that `ruaflow --version` and
 * `--help` start fast (no SQLite, no XML parser loaded).
 */
import { readFileSync } from 'node:fs';
import { EXIT, exitCodeFor, messageFor } from './exit.js';
import { HELP } from './help.js';

const COMMANDS: Readonly<Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>>> = {
  run: () => import('./commands/run.js'),
  ingest: () => import('./commands/ingest.js'),
  reports: () => import('./commands/reports.js'),
  poll: () => import('./commands/poll.js'),
  daemon: () => import('./commands/daemon.js'),
};

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-V' || first === 'version') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`ruaflow ${pkg.version}\n`);
    return EXIT.ok;
  }
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(HELP);
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  const load = COMMANDS[first];
  if (load === undefined) {
    process.stderr.write(`ruaflow: unknown command "${first}"; see ruaflow --help\n`);
    return EXIT.usage;
  }
  const command = await load();
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${messageFor(error)}\n`);
    process.exitCode = exitCodeFor(error);
  },
);
