/**
 * A schema issue (zod) in words: one line naming the file or the environment variable, the key,
 * what was expected and an example, e.g.
 * `ruaflow.toml: [imap] port: expected an integer 1-65535, e.g. port = 993 (got 99999)`.
 * Unknown keys and sections get the list of known ones and a "did you mean".
 */
import type { z } from 'zod';
import type { Context } from './context.js';
import { didYouMean } from './did-you-mean.js';
import { describeKey, exampleFor, tableName, tomlValue } from './naming.js';
import { DOMAIN_KEYS, DOMAINS, KEY_KEYS, SECTION_NAMES, SECTIONS, SERVICE_KEYS, type KeyTable, type SectionName } from './schema.js';
import { isPlainTable } from './toml.js';
import { QUOTED_VALUE_CHARS } from '../../limits.js';

/** Unknown keys first: a misspelt key usually explains the errors that follow it. */
export function pickIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  const first = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
  if (first === undefined) throw new Error('zod reported failure without issues');
  return first;
}

export function describeIssue(issue: z.core.$ZodIssue, document: Record<string, unknown>, ctx: Context): string {
  const [section, second, third] = issue.path;
  const fileLabel = ctx.fileLabel ?? 'configuration';
  const sectionList = [...SECTION_NAMES.map((s) => `[${s}]`), `[[${DOMAINS}]]`];

  if (section === undefined) {
    // Only unknown top-level names reach here.
    const names = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const name = names[0] ?? '?';
    const value = document[name];
    if (isPlainTable(value) || Array.isArray(value)) {
      return `${fileLabel}: [${name}]: unknown section; expected one of ${sectionList.join(', ')}${didYouMean(`[${name}]`, sectionList)}`;
    }
    const homes = SECTION_NAMES.filter((s) => name in SECTIONS[s]).map((s) => `[${s}] ${name}`);
    if (name in DOMAIN_KEYS) homes.push(`[[${DOMAINS}]] ${name}`);
    const hint = homes.length > 0 ? ` (did you mean ${homes.join(' or ')}?)` : '';
    return `${fileLabel}: ${name}: settings belong in a section; expected one of ${sectionList.join(', ')}${hint}`;
  }

  const isDomains = section === DOMAINS;
  const index = isDomains && typeof second === 'number' ? second : undefined;
  const keys: KeyTable = isDomains ? DOMAIN_KEYS : (SECTIONS[section as SectionName] as KeyTable);
  const keyPart = isDomains ? third : second;

  if (isDomains && second === undefined) {
    return `${fileLabel}: [[${DOMAINS}]]: expected an array of tables, e.g. [[${DOMAINS}]] name = "example.com"`;
  }
  const where = tableName(String(section), index);
  if (keyPart === undefined) {
    if (issue.code === 'unrecognized_keys') {
      const name = issue.keys[0] ?? '?';
      const known = Object.keys(keys);
      return `${fileLabel}: ${where} ${name}: unknown key; expected one of ${known.join(', ')}${didYouMean(name, known)}`;
    }
    const [firstKey, firstSpec] = Object.entries(keys)[0] ?? ['key', undefined];
    const example = firstSpec ? ` ${firstKey} = ${tomlValue(firstSpec.example)}` : '';
    return `${fileLabel}: ${where}: expected a table of settings, e.g. ${where}${example}`;
  }

  const key = String(keyPart);
  const spec = keys[key];
  if (spec === undefined) return `${fileLabel}: ${where} ${key}: ${issue.message}`;
  const nested = isDomains ? describeNested(issue, `${fileLabel}: ${where} ${key}`, key) : undefined;
  if (nested !== undefined) return nested;
  const got = spec.secret ? '' : ` (got ${shortValue(valueAt(document, issue.path))})`;
  return `${describeKey(String(section), key, index, ctx)}: expected ${spec.expected}, e.g. ${exampleFor(String(section), key, spec, index, ctx)}${got}`;
}

/** Tables inside `[[domains]]` (services, keys): name the entry and the inner key, e.g.
 * `[[domains]] #1 services #2 ips: expected …` or `… keys #1: unknown key privat_key_file`. */
function describeNested(issue: z.core.$ZodIssue, prefix: string, key: string): string | undefined {
  const inner = NESTED_KEYS[key];
  const [index, innerKey] = issue.path.slice(3);
  if (inner === undefined || typeof index !== 'number') return undefined;
  const entry = `${prefix} #${index + 1}`;
  if (issue.code === 'unrecognized_keys') {
    const name = issue.keys[0] ?? '?';
    return `${entry}: unknown key ${name}; expected one of ${inner.join(', ')}${didYouMean(name, inner)}`;
  }
  if (innerKey === undefined) {
    // `services` entries are a name or a table: when a table was written, report what is wrong
    // inside it rather than "expected a name or a table".
    if (issue.code === 'invalid_union') {
      const branch = issue.errors.find((b) => b.some((i) => i.path.length > 0 || i.code === 'unrecognized_keys'));
      const first = branch?.[0];
      if (first === undefined) return undefined;
      return describeNested({ ...first, path: [...issue.path, ...first.path] } as z.core.$ZodIssue, prefix, key);
    }
    return `${entry}: ${issue.message}`;
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${entry} ${String(innerKey)}: required`;
  const expected = NESTED_EXPECTED[String(innerKey)];
  return `${entry} ${String(innerKey)}: ${expected === undefined ? issue.message : `expected ${expected}`}`;
}

const NESTED_EXPECTED: Readonly<Record<string, string>> = {
  name: 'a non-empty name, e.g. name = "SendGrid"',
  ips: 'a list of IP addresses or CIDR ranges, e.g. ips = ["192.0.2.0/24", "2001:db8::/32"]',
  ptr: 'a list of host-name suffixes, e.g. ptr = ["sendgrid.net"]',
  dkim: 'a list of DKIM signing domains, e.g. dkim = ["sendgrid.net"]',
  selector: 'a DKIM selector (a DNS label), e.g. selector = "s2026"',
  private_key_file: 'a PEM file path, e.g. private_key_file = "dkim/example.com/private"',
  public_key_file: 'a PEM file path, e.g. public_key_file = "dkim/example.com/public"',
  domain: 'a domain name, e.g. domain = "example.com"',
};

const NESTED_KEYS: Readonly<Record<string, readonly string[]>> = { services: SERVICE_KEYS, keys: KEY_KEYS };

function shortValue(v: unknown): string {
  // A TOML date is a TomlDate (a Date whose toISOString keeps the TOML form: 1979-05-27).
  const s = v instanceof Date ? v.toISOString() : (JSON.stringify(v) ?? String(v));
  return s.length > QUOTED_VALUE_CHARS ? `${s.slice(0, QUOTED_VALUE_CHARS - 3)}...` : s;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}
