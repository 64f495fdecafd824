/**
 * Under Node < 22 better-sqlite3 13 crashes the process (a segmentation fault, exit 139). The bin
 * checks the version before it loads anything heavy and says in one line what is needed. Run
 * with the machine's own old Node (Debian's and CI's system node is 20), and the check itself
 * with version strings.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nodeVersionProblem } from '../../src/cli/node-version.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
const dir = mkdtempSync(join(tmpdir(), 'ruaflow-node-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The first `node` on PATH (or /usr/bin/node) older than 22, or null. */
function oldNode(): { path: string; version: string } | null {
  const candidates = new Set(['/usr/bin/node']);
  try {
    for (const p of execFileSync('which', ['-a', 'node'], { encoding: 'utf8' }).split('\n')) if (p !== '') candidates.add(p);
  } catch {
    // `which` found nothing: only /usr/bin/node is tried.
  }
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    const version = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.trim();
    const major = Number(/^v(\d+)\./.exec(version)?.[1]);
    if (major < 22) return { path, version };
  }
  return null;
}

describe('the Node.js version check', () => {
  const old = oldNode();
  it(`under the machine's old Node (${old?.version ?? 'none found'}): one line naming the version needed, exit 1, no database made`, { skip: old === null ? 'no Node < 22 on this machine' : false }, () => {
    if (old === null) return;
    const db = join(dir, 'old-node.sqlite');
    const r = spawnSync(old.path, ['--import', TSX, MAIN, 'reports', '--db', db], { encoding: 'utf8' });
    assert.equal(r.status, 1, `signal ${r.signal ?? '-'}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^ruaflow: Node\\.js 22 or newer is needed \\(this is ${old.version.replace(/\./g, '\\.')}\\); [^\\n]+\\n$`));
    assert.equal(existsSync(db), false);
  });

  it('passes 22 and newer, names any older version', () => {
    assert.equal(nodeVersionProblem('22.0.0'), null);
    assert.equal(nodeVersionProblem('24.21.0'), null);
    assert.match(nodeVersionProblem('20.20.2') ?? '', /^Node\.js 22 or newer is needed \(this is v20\.20\.2\); /);
    assert.match(nodeVersionProblem('18.0.0') ?? '', /this is v18\.0\.0/);
  });
});
