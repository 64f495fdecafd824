/**
 * A lock file so that two pollers (cron plus a manual run) never process the same mailbox at
 * the same time. Created with O_EXCL; it holds the owner's PID and host. A lock whose process is
 * gone (kill -9, a reboot) is stale and taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { LockedError } from '../errors.js';
import { errorCode } from './fs-errors.js';

export interface Lock {
  release(): void;
}

export function acquireLock(path: string, what: string): Lock {
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o644);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
      const owner = readOwner(path);
      if (owner !== null && owner.host === hostname() && isAlive(owner.pid)) {
        throw new LockedError(`${what} is being processed by another ruaflow (pid ${owner.pid}, since ${owner.since}); not starting a second one`);
      }
      if (owner !== null && owner.host !== hostname()) {
        throw new LockedError(`${what} is locked by ruaflow on ${owner.host} (pid ${owner.pid}); remove ${path} if that is stale`);
      }
      // Stale: its process is gone. Remove and try again (another process may race us: O_EXCL decides).
      try {
        unlinkSync(path);
      } catch {
        /* someone else removed it */
      }
      continue;
    }
    writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
    closeSync(fd);
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        const owner = readOwner(path);
        if (owner?.pid === process.pid) {
          try {
            unlinkSync(path);
          } catch {
            /* already gone */
          }
        }
      },
    };
  }
  throw new LockedError(`${what}: cannot take the lock ${path}`);
}

function readOwner(path: string): { pid: number; host: string; since: string } | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; host?: unknown; since?: unknown };
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return null;
    return { pid: parsed.pid, host: parsed.host, since: typeof parsed.since === 'string' ? parsed.since : '?' };
  } catch {
    return null; // unreadable or half-written: treated as stale
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}
