/** File-system errors in words a user understands, for one-line messages. */
import { writeFileSync } from 'node:fs';
import { IoError } from '../errors.js';

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

const FS_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  ELOOP: 'symbolic link loop',
  EIO: 'input/output error',
};

export function describeFsError(error: unknown): string {
  const code = errorCode(error);
  return (code !== undefined ? FS_REASONS[code] : undefined) ?? (error instanceof Error ? error.message : String(error));
}

/** Write a whole file; a failure is an IoError `<label>: cannot write: <reason>` (label: what
 * the user named, e.g. `summary --out report.html`; the path by default). */
export function writeFileOrFail(path: string, data: string | Uint8Array, label: string = path): void {
  try {
    writeFileSync(path, data);
  } catch (error) {
    throw new IoError(`${label}: cannot write: ${describeFsError(error)}`, { cause: error });
  }
}
