/**
 * Reading the configuration file's text as TOML (smol-toml): a syntax error becomes a one-line
 * problem with the line and column, never smol-toml's multi-line code excerpt.
 */
import { parse as parseToml, TomlError } from 'smol-toml';
import { failure, success, type Outcome } from './problem.js';

export function readToml(text: string, fileLabel: string): Outcome<Record<string, unknown>> {
  try {
    return success(parseToml(text));
  } catch (error) {
    if (error instanceof TomlError) {
      // smol-toml's message is "Invalid TOML document: <what>" followed by a code excerpt.
      const what = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document:\s*/, '');
      return failure(`${fileLabel}:${error.line}:${error.column}: invalid TOML: ${what}`, error);
    }
    throw error;
  }
}

/** A TOML table (smol-toml builds them without a prototype) or a literal object. */
export const isPlainTable = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
};
