#!/usr/bin/env -S node --max-semi-space-size=16
/**
 * The bin. The V8 flag in the first line keeps the young generation small: parsing allocates
 * fast, and with Node's default (growing to 3 × 32 MiB) a 2,000-message poll peaks at 263 MiB
 * against 171 MiB with 16 MiB semi-spaces, and runs no slower (bench/poll.ts). `npm start`
 * passes it too.
 *
 * First the Node.js version, with nothing else loaded (an older Node crashes in better-sqlite3
 * with a segmentation fault): one line and exit 1 (EXIT.failed in src/cli/exit.ts, the run could
 * not be done; docs/json-output.md#exit-codes). Then the command line (src/cli/cli.ts), imported
 * only now so that none of it is loaded under a Node that cannot run it.
 */
import { nodeVersionProblem } from './node-version.js';

const problem = nodeVersionProblem(process.versions.node);
if (problem === null) {
  await import('./cli.js');
} else {
  process.stderr.write(`ruaflow: ${problem}\n`);
  process.exitCode = 1;
}
