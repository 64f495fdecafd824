/** ruaflow's version, from package.json (beside src/ and dist/ alike). */
import { readFileSync } from 'node:fs';

export function ruaflowVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
