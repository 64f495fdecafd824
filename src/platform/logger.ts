/**
 * Log lines on stderr: `level event key=value …` for a person at a terminal, one JSON object per
 * line when stderr is not a TTY (journald, files, log shippers) or when asked.
 */
import type { LogFields, Logger } from '../ports/logger.js';

type Level = 'info' | 'warn' | 'error';

export function createLogger(options: { json?: boolean; quiet?: boolean; stream?: NodeJS.WritableStream & { isTTY?: boolean } } = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const json = options.json ?? !(stream.isTTY ?? false);
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
    info: (e, f) => write('info', e, f),
    warn: (e, f) => write('warn', e, f),
    error: (e, f) => write('error', e, f),
  };
}
