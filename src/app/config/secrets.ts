/**
 * Secrets from files (`password_file`, `access_token_file`): the usual way to hand a container or
 * a systemd unit a password without putting it in the configuration or the environment. The core
 * reads them only through the injected reader, so it never touches the disk itself.
 */
import { describeFsError } from '../../platform/fs-errors.js';
import type { Context, ReadSecret } from './context.js';
import { describeKey } from './naming.js';
import { failure, success, type Outcome } from './problem.js';

/** A secret file's text without its trailing line break(s): `echo secret > file` adds one. */
export function readSecret(section: string, key: string, path: string, ctx: Context & { readonly readSecret: ReadSecret }): Outcome<string> {
  const label = describeKey(section, key, undefined, ctx);
  let text: string;
  try {
    text = ctx.readSecret(path);
  } catch (error) {
    return failure(`${label}: cannot read ${path}: ${describeFsError(error)}`, error);
  }
  const secret = text.replace(/[\r\n]+$/, '');
  if (secret === '') return failure(`${label}: ${path} is empty`);
  return success(secret);
}
