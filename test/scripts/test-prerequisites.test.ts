/**
 * `npm test` on a fresh machine: the pretest step names the Debian packages that are missing in
 * one apt-get line and stops, when it may not install them itself (not root). Run with a PATH that
 * holds none of the tools, as an unprivileged user.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/test-prerequisites.sh', import.meta.url));

describe('scripts/test-prerequisites.sh', () => {
  it('as a user who cannot install, prints the one apt-get line for what is missing and fails', () => {
    const bin = mkdtempSync(join(tmpdir(), 'ruaflow-prereq-'));
    try {
      // Only what the script itself needs; none of the tools the tests use.
      for (const tool of ['bash', 'id', 'grep']) symlinkSync(spawnSync('which', [tool], { encoding: 'utf8' }).stdout.trim(), join(bin, tool));
      const asRoot = process.getuid?.() === 0;
      chmodSync(bin, 0o755);
      const command = `PATH=${bin} /bin/bash ${SCRIPT}`;
      const r = asRoot
        ? spawnSync('su', ['nobody', '-s', '/bin/bash', '-c', command], { encoding: 'utf8' })
        : spawnSync('bash', ['-c', command], { encoding: 'utf8' });
      assert.equal(r.status, 1, r.stderr);
      const line = r.stderr.split('\n').find((l) => l.trim().startsWith('apt-get install'));
      assert.ok(line !== undefined, r.stderr);
      for (const pkg of ['libxml2-utils', 'dovecot-imapd', 'openssl', 'exim4-daemon-heavy', 'dovecot-sieve', 'procmail']) {
        assert.ok(line.split(' ').includes(pkg), `${pkg} in: ${line}`);
      }
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('with everything installed (as CI leaves it), does nothing and succeeds', () => {
    const r = spawnSync('bash', [SCRIPT], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
  });
});
