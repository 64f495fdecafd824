/**
 * Where `ruaflow web` listens: `--listen HOST:PORT`, else `[web] listen` (default 127.0.0.1:8080).
 * Loopback only: the dashboard has no authentication yet (issue 13 adds a token and users), and
 * report contents are written by strangers, so it must not be reachable from the network.
 */
import { UsageError } from '../errors.js';

export interface WebListen {
  readonly host: string;
  readonly port: number;
}

/** `127.0.0.1:8080`, `[::1]:8080`, `localhost:8080` → host and port; anything else, or a host
 * that is not loopback, is a UsageError naming where the address came from (`--listen` or
 * `[web] listen`). Port 0 asks the system for a free port (the tests use it). */
export function parseWebListen(text: string, origin: string): WebListen {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text.trim());
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (m === null || host === undefined || !(port >= 0 && port <= 65535)) throw new UsageError(`web: ${origin} ${text}: expected HOST:PORT, e.g. 127.0.0.1:8080`);
  const loopback = host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  if (!loopback) {
    throw new UsageError(`web: ${origin} ${text}: only a loopback address (127.0.0.1, ::1, localhost) is allowed — the dashboard has no authentication yet; put a reverse proxy with authentication in front of it`);
  }
  return { host, port };
}
