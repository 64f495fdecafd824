/**
 * The Node.js version check the bin makes first (src/cli/main.ts): under an older Node,
 * better-sqlite3 13 dies with a segmentation fault, which says nothing of the cause. Pure: the
 * version string comes in (process.versions.node), the one line to print (or null) goes out.
 * This module and limits.ts import nothing, so the check runs before anything heavy is loaded.
 */
import { MIN_NODE_MAJOR } from '../limits.js';

export function nodeVersionProblem(version: string): string | null {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (major >= MIN_NODE_MAJOR) return null;
  return (
    `Node.js ${MIN_NODE_MAJOR} or newer is needed (this is v${version.replace(/^v/, '')}); ` +
    `install a newer Node.js, or run ruaflow from its checkout with npm start or npx ruaflow, which use the Node 24 pinned there`
  );
}
