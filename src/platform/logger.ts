/**
 * Log lines on stderr: `level event key=value …` for a person at a terminal, one JSON object per
 * line when stderr is not a TTY (journald, files, log shippers) or when asked.
 */
import type { LogFields, Logger } from '../ports/logger.js';

type Level = 'info' | 'warn' | 'error';

export interface BufferedLogger extends Logger {
  /** Writes what is buffered now. */
  flush(): void;
}

export function createLogger(options: {
  json?: boolean;
  quiet?: boolean;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Collect the lines of one event-loop turn and write them at once (a busy `ruaflow serve`:
   * stderr to a pipe or file is written synchronously, one system call per line otherwise).
   * Also flushed when the process exits. */
  buffered?: boolean;
} = {}): BufferedLogger {
  const target = options.stream ?? process.stderr;
  const json = options.json ?? !(target.isTTY ?? false);
  let pending: string[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    target.write(text);
  };
  if (options.buffered === true) process.once('exit', flush);
  const stream = {
    write: (line: string): void => {
      if (options.buffered !== true) {
        target.write(line);
        return;
      }
      if (pending.length === 0) setImmediate(flush);
      pending.push(line);
    },
  };
  const write = (level: Level, event: string, fields: LogFields = {}): void => {
    if (options.quiet === true && level === 'info') return;
    if (json) {
      stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })}\n`);
      return;
    }
    const parts = Object.entries(fields)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `${k}=${typeof v === 'string' && /[\s"]/.test(v) ? JSON.stringify(v) : String(v)}`);
    stream.write(`${level === 'info' ? '' : `${level}: `}${event}${parts.length > 0 ? ` ${parts.join(' ')}` : ''}\n`);
  };
  return {
    flush,
    info: (e, f) => write('info', e, f),
    warn: (e, f) => write('warn', e, f),
    error: (e, f) => write('error', e, f),
  };
}
