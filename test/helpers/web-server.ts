/**
 * `ruaflow web` started for real, as a user would (the CLI through tsx, in a child process), on
 * a free loopback port (`--listen 127.0.0.1:0`): resolves with its address once its log says it
 * is listening; stop() sends SIGTERM and resolves with the exit code.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface WebServer {
  /** `http://127.0.0.1:PORT` (no final slash). */
  readonly base: string;
  stop(): Promise<number | null>;
  /** What it wrote to stderr so far (its log). */
  log(): string;
}

export function startWeb(args: readonly string[]): Promise<WebServer> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['RUAFLOW_DB'];
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'web', '--listen', '127.0.0.1:0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ruaflow web did not start in 30 s:\n${stderr}`));
    }, 30_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const url = /"event":"listening","url":"(http:\/\/[^"]+)\/"/.exec(stderr)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      resolve({
        base: url,
        log: () => stderr,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`ruaflow web exited (${code}) before listening:\n${stderr}`));
    });
  });
}
