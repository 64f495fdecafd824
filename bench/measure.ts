/**
 * Runs one child process (this Node binary) and measures its wall time and peak resident set.
 * Peak RSS comes from GNU time (`/usr/bin/time -f %M`, Debian package `time`) when it is installed,
 * else from polling the child's VmHWM in /proc every 5 ms (which can miss a peak in the last few
 * milliseconds), else it is not measured.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface Measured {
  readonly wallMs: number;
  /** Peak resident set of the child in KiB, or null when it could not be measured. */
  readonly peakRssKiB: number | null;
  readonly status: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

export type RssMethod = 'gnu-time' | 'proc-poll' | 'none';

export function detectRssMethod(): RssMethod {
  const probe = spawnSync('/usr/bin/time', ['-f', '%M', '-o', '/dev/null', 'true']);
  if (probe.status === 0) return 'gnu-time';
  return existsSync(`/proc/${process.pid}/status`) ? 'proc-poll' : 'none';
}

function readVmHwmKiB(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] !== undefined ? Number(m[1]) : null;
  } catch {
    return null; // the process has already exited
  }
}

const CAPTURE_LIMIT = 1024 * 1024;

/** Process groups of the children still running: Ctrl-C does not reach them (they are detached),
 * so an interrupted bench ends them itself. */
const running = new Set<number>();
let interruptHandlerInstalled = false;

function installInterruptHandler(): void {
  if (interruptHandlerInstalled) return;
  interruptHandlerInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const pid of running) killGroup(pid);
      process.exit(130);
    });
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export interface MeasureOptions {
  readonly cwd: string;
  readonly rss: RssMethod;
  /** Where GNU time writes its one-line report. */
  readonly scratch: string;
  readonly timeoutMs: number;
}

/** Runs `node ARGS…` with this Node binary, in its own process group (so a timeout can kill the
 * whole group, GNU time and the child alike), and measures it. */
export function measure(args: readonly string[], opts: MeasureOptions): Promise<Measured> {
  args = [...shebangFlags(args[0]), ...args];
  const rssFile = join(opts.scratch, `rss-${process.hrtime.bigint()}.txt`);
  const [cmd, cmdArgs] =
    opts.rss === 'gnu-time'
      ? ['/usr/bin/time', ['-f', '%M', '-o', rssFile, process.execPath, ...args]]
      : [process.execPath, [...args]];
  installInterruptHandler();
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, cmdArgs, { cwd: opts.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      if (stdout.length < CAPTURE_LIMIT) stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      if (stderr.length < CAPTURE_LIMIT) stderr += s;
    });
    let polled: number | null = null;
    const pid = child.pid;
    if (pid !== undefined) running.add(pid);
    const poll =
      opts.rss === 'proc-poll' && pid !== undefined
        ? setInterval(() => {
            const kib = readVmHwmKiB(pid);
            if (kib !== null) polled = Math.max(polled ?? 0, kib);
          }, 5)
        : undefined;
    const timeout = setTimeout(() => {
      stderr += `\n[bench] killed after ${opts.timeoutMs / 1000} s`;
      if (pid !== undefined) killGroup(pid);
    }, opts.timeoutMs);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      const wallMs = performance.now() - start;
      if (pid !== undefined) running.delete(pid);
      clearTimeout(timeout);
      if (poll !== undefined) clearInterval(poll);
      let peakRssKiB: number | null = polled;
      if (opts.rss === 'gnu-time' && existsSync(rssFile)) {
        // On failure GNU time writes "Command exited with non-zero status N" before the value.
        const last = readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '';
        peakRssKiB = /^\d+$/.test(last) ? Number(last) : null;
        rmSync(rssFile, { force: true });
      }
      resolve({ wallMs, peakRssKiB, status, signal, stdout, stderr });
    });
  });
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

/** The run with the median wall time (its RSS comes with it). */
export function medianRun<T extends { readonly wallMs: number }>(runs: readonly T[]): T {
  const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
  const run = sorted[Math.floor((sorted.length - 1) / 2)];
  if (run === undefined) throw new Error('no runs');
  return run;
}

/** The node flags a script's `#!/usr/bin/env -S node FLAGS` line gives it, so that running it as
 * `node SCRIPT` here measures what running the installed `ruaflow` bin does. */
export function shebangFlags(script: string | undefined): string[] {
  if (script === undefined || !script.endsWith('.js')) return [];
  let first: string;
  try {
    first = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  } catch {
    return [];
  }
  const m = /^#!\S*env\s+-S\s+node\s+(.*)$/.exec(first);
  return m?.[1] !== undefined ? m[1].trim().split(/\s+/) : [];
}
