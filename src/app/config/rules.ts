/**
 * Rules between keys: what one key makes necessary or excludes (a `[imap]` needs a host, a user
 * and a secret; `after_processing = "move"` needs `archive_mailbox`; a password is set inline or
 * from a file, not both), and the defaults that follow from another key (the IMAP and SMTP ports,
 * `after_processing`, `own_rua` always holding `[reporter] email`). Single keys are checked by the
 * schema (schema.ts); these run on the validated document.
 */
import { originOf, type Context } from './context.js';
import { envName, envValue, tomlValue } from './naming.js';
import type { ConfigProblem } from './problem.js';
import { DOMAINS, SECTIONS, type ConfigDocument, type KeyTable, type SectionName } from './schema.js';

/** The first broken rule, or null when the document holds together. */
export function checkRelations(doc: ConfigDocument, ctx: Context): ConfigProblem | null {
  const fromFile = (section: SectionName, table: object | undefined): boolean =>
    table !== undefined && Object.keys(table).some((k) => originOf(section, k, ctx).kind === 'file');

  const imap = doc.imap;
  if (imap !== undefined) {
    const why = ctx.fileLabel !== null && fromFile('imap', imap) ? '[imap] is set' : 'RUAFLOW_IMAP_* is set';
    const file = fromFile('imap', imap);
    if (imap.password !== undefined && imap.password_file !== undefined) return conflict('imap', 'password', 'password_file', ctx);
    if (imap.access_token !== undefined && imap.access_token_file !== undefined) return conflict('imap', 'access_token', 'access_token_file', ctx);
    if (imap.host === undefined) return required('imap', 'host', why, ctx, file);
    if (imap.user === undefined) return required('imap', 'user', why, ctx, file);
    const hasSecret = [imap.password, imap.password_file, imap.access_token, imap.access_token_file].some((v) => v !== undefined);
    if (!hasSecret) return required('imap', 'password', `${why} (or password_file, access_token, access_token_file)`, ctx, file);
    if (imap.after_processing === 'move' && imap.archive_mailbox === undefined) {
      return required('imap', 'archive_mailbox', 'after_processing = "move"', ctx, file);
    }
  }

  const smtp = doc.smtp;
  if (smtp !== undefined) {
    const file = fromFile('smtp', smtp);
    const why = ctx.fileLabel !== null && file ? '[smtp] is set' : 'RUAFLOW_SMTP_* is set';
    if (smtp.password !== undefined && smtp.password_file !== undefined) return conflict('smtp', 'password', 'password_file', ctx);
    if (smtp.host === undefined) return required('smtp', 'host', why, ctx, file);
    if (smtp.from === undefined) return required('smtp', 'from', why, ctx, file);
    if ((smtp.password !== undefined || smtp.password_file !== undefined) && smtp.user === undefined) {
      return required('smtp', 'user', 'a password is set', ctx, file);
    }
  }

  // Reports we send must say who sent them (RFC 9990 §3: org_name, email; our domain for the
  // Report-ID and the DKIM signature). Setting only `format` is fine.
  const reporter = doc.reporter;
  if (reporter !== undefined && Object.keys(reporter).some((k) => k !== 'format')) {
    const file = fromFile('reporter', reporter);
    const why = ctx.fileLabel !== null && file ? '[reporter] is set' : 'RUAFLOW_REPORTER_* is set';
    for (const key of ['org_name', 'email', 'domain'] as const) {
      if (reporter[key] === undefined) return required('reporter', key, why, ctx, file);
    }
  }

  const seen = new Map<string, number>();
  for (const [i, d] of (doc.domains ?? []).entries()) {
    if (d.name === undefined) {
      return { message: `${ctx.fileLabel ?? 'configuration'}: [[${DOMAINS}]] #${i + 1} name: required, e.g. name = "example.com"` };
    }
    const before = seen.get(d.name);
    if (before !== undefined && ctx.fromEnv.has(DOMAINS)) {
      return { message: `environment: RUAFLOW_DOMAINS: ${JSON.stringify(d.name)} is listed twice` };
    }
    if (before !== undefined) {
      return { message: `${ctx.fileLabel ?? 'environment'}: [[${DOMAINS}]] #${i + 1} name: ${JSON.stringify(d.name)} is already listed as #${before + 1}` };
    }
    seen.set(d.name, i);
  }
  return null;
}

/** A missing key that another key makes necessary. */
function required(section: SectionName, key: string, why: string, ctx: Context, sectionFromFile: boolean): ConfigProblem {
  const spec = (SECTIONS[section] as KeyTable)[key];
  const example = spec === undefined ? '' : spec.example;
  if (!sectionFromFile || ctx.fileLabel === null) {
    return { message: `environment: ${envName(section, key)}: required when ${why}, e.g. ${envName(section, key)}=${envValue(example)}` };
  }
  return { message: `${ctx.fileLabel}: [${section}] ${key}: required when ${why}, e.g. ${key} = ${tomlValue(example)}` };
}

function conflict(section: SectionName, a: string, b: string, ctx: Context): ConfigProblem {
  const name = (k: string) => (originOf(section, k, ctx).kind === 'env' ? envName(section, k) : `[${section}] ${k}`);
  const where = originOf(section, a, ctx).kind === 'env' && originOf(section, b, ctx).kind === 'env' ? 'environment' : (ctx.fileLabel ?? 'environment');
  return { message: `${where}: ${name(a)}: set either ${a} or ${b}, not both` };
}

// --- defaults that follow from another key ------------------------------------------------------

/** IMAP with TLS from the first byte listens on 993 (imaps), plain IMAP (then STARTTLS) on 143. */
export const imapPort = (secure: boolean): number => (secure ? 993 : 143);

/** Port 465 is implicit TLS (RFC 8314 §3.3); 587 is submission with STARTTLS (RFC 6409). */
export const smtpSecure = (port: number | undefined): boolean => port === 465;
export const smtpPort = (secure: boolean): number => (secure ? 465 : 587);

/** With an archive mailbox, a processed message is moved there; without one it is marked \Seen. */
export const afterProcessing = (archiveMailbox: string | undefined): 'move' | 'seen' => (archiveMailbox !== undefined ? 'move' : 'seen');

/** Our own rua mailboxes, lower-cased, once each: those listed plus `[reporter] email`, since a
 * report we send names it as the address to answer (no report loops, schema.ts own_rua). */
export const ownRua = (listed: readonly string[], reporterEmail: string | undefined): string[] => [
  ...new Set([...listed, ...(reporterEmail !== undefined ? [reporterEmail] : [])].map((a) => a.toLowerCase())),
];
