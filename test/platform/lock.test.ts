import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LockedError } from '../../src/errors.js';
import { acquireLock } from '../../src/platform/lock.js';

const dir = mkdtempSync(join(tmpdir(), 'ruaflow-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('acquireLock', () => {
  it('refuses a second holder while the first is alive, and frees on release', () => {
    const path = join(dir, 'a.lock');
    const first = acquireLock(path, 'mailbox INBOX');
    assert.throws(() => acquireLock(path, 'mailbox INBOX'), (e: unknown) => e instanceof LockedError && /another ruaflow \(pid \d+/.test(e.message));
    first.release();
    assert.equal(existsSync(path), false);
    acquireLock(path, 'mailbox INBOX').release();
  });

  it('takes over the lock of a process that is gone (kill -9)', async () => {
    const path = join(dir, 'b.lock');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    writeFileSync(path, JSON.stringify({ pid: child.pid, host: hostname(), since: 'then' }));
    assert.throws(() => acquireLock(path, 'x'), LockedError);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const lock = acquireLock(path, 'x');
    lock.release();
  });

  it('treats a half-written lock file as stale', () => {
    const path = join(dir, 'c.lock');
    writeFileSync(path, '{"pid": ');
    acquireLock(path, 'x').release();
  });
});
