/**
 * argv → command (src/cli/program.ts) → exit code (src/cli/exit.ts), once src/cli/main.ts has
 * checked the Node.js version. Commands are loaded on demand so that `ruaflow --version` and
 * `--help` start fast (no SQLite, no XML parser loaded).
 */
import { ruaflowVersion } from '../app/version.js';
import { EXIT, exitCodeFor, messageFor } from './exit.js';

/** `ruaflow --version` answers before commander is loaded (it alone takes ~35 ms to load), so a
 * script asking the version pays only for Node's own start. */
const VERSION_ARGS = new Set(['--version', '-V', 'version']);

async function main(argv: string[]): Promise<number> {
  if (argv.length === 1 && VERSION_ARGS.has(argv[0] ?? '')) {
    process.stdout.write(`ruaflow ${ruaflowVersion()}\n`);
    return EXIT.ok;
  }
  const { buildProgram, HELP } = await import('./program.js');
  // No command at all: the overview, and a usage exit code (a script forgot its argument).
  if (argv.length === 0) {
    process.stdout.write(HELP);
    return EXIT.usage;
  }
  let code: number = EXIT.ok;
  await buildProgram((c) => {
    code = c;
  }).parseAsync(argv, { from: 'user' });
  return code;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = messageFor(error);
    if (message !== null) process.stderr.write(`${message}\n`);
    process.exitCode = exitCodeFor(error);
  },
);
