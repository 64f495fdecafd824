/**
 * argv → command (src/cli/program.ts) → exit code (src/cli/exit.ts), once src/cli/main.ts has
 * checked the Node.js version. Commands are loaded on demand so that `ruaflow --version` and
 * `--help` start fast (no SQLite, no XML parser loaded).
 */
import { EXIT, exitCodeFor, messageFor } from './exit.js';
import { buildProgram, HELP } from './program.js';

async function main(argv: string[]): Promise<number> {
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
