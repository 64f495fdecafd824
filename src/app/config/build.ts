/**
 * A validated document → the complete Config every part of ruaflow receives: defaults applied
 * (from the key tables in schema.ts, or the rules in rules.ts where one key follows another),
 * paths made absolute, secrets read through the injected reader.
 *
 * Relative paths in the file resolve against the file's folder; relative paths from the
 * environment and the defaults resolve against the working directory.
 */
import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_LIMITS, DEFAULT_SERVE_LIMITS, LIMIT_SETTINGS, SERVE_LIMIT_SETTINGS, type Limits, type ServeLimits } from '../../limits.js';
import type { Config, ImapConfig, OutboundReportFormat, SmtpConfig } from '../../types/config.js';
import { originOf, type Context } from './context.js';
import { success, type Outcome } from './problem.js';
import { afterProcessing, imapPort, ownRua, smtpPort, smtpSecure } from './rules.js';
import {
  DATABASE_KEYS,
  DNS_KEYS,
  DOMAIN_KEYS,
  IMAP_KEYS,
  OUTBOUND_KEYS,
  POLICY_KEYS,
  REPORTER_KEYS,
  SCHEDULE_KEYS,
  SUMMARY_KEYS,
  WEB_KEYS,
  type ConfigDocument,
  type SectionName,
} from './schema.js';
import { readSecret } from './secrets.js';

export function build(doc: ConfigDocument, ctx: Context): Outcome<Config> {
  const pathOf = (section: SectionName, key: string, value: string | undefined): string | null => {
    if (value === undefined) return null;
    const base = originOf(section, key, ctx).kind === 'env' ? ctx.cwd : ctx.fileDir;
    return isAbsolute(value) ? value : resolve(base, value);
  };
  /** The inline secret, else the file's (when there is a reader), else null. */
  const secretOf = (section: SectionName, key: string, inline: string | undefined, file: string | null): Outcome<string | null> => {
    if (inline !== undefined) return success(inline);
    if (file === null || ctx.readSecret === undefined) return success(null);
    return readSecret(section, key, file, { ...ctx, readSecret: ctx.readSecret });
  };

  const dbPath = doc.database?.path;
  const database = {
    path:
      dbPath === undefined
        ? resolve(ctx.cwd, DATABASE_KEYS.path.default)
        : dbPath === ':memory:'
          ? dbPath
          : (pathOf('database', 'path', dbPath) ?? dbPath),
  };

  let imap: ImapConfig | null = null;
  if (doc.imap?.host !== undefined && doc.imap.user !== undefined) {
    const i = doc.imap;
    const secure = i.secure ?? IMAP_KEYS.secure.default;
    const passwordFile = pathOf('imap', 'password_file', i.password_file);
    const accessTokenFile = pathOf('imap', 'access_token_file', i.access_token_file);
    const password = secretOf('imap', 'password_file', i.password, passwordFile);
    if (!password.ok) return password;
    const accessToken = secretOf('imap', 'access_token_file', i.access_token, accessTokenFile);
    if (!accessToken.ok) return accessToken;
    imap = {
      host: i.host!,
      port: i.port ?? imapPort(secure),
      secure,
      user: i.user!,
      password: password.value,
      passwordFile,
      accessToken: accessToken.value,
      accessTokenFile,
      mailbox: i.mailbox ?? IMAP_KEYS.mailbox.default,
      archiveMailbox: i.archive_mailbox ?? null,
      invalidMailbox: i.invalid_mailbox ?? null,
      notAggregateMailbox: i.not_aggregate_mailbox ?? null,
      afterProcessing: (i.after_processing as ImapConfig['afterProcessing'] | undefined) ?? afterProcessing(i.archive_mailbox),
      idle: i.idle ?? IMAP_KEYS.idle.default,
      batchSize: i.batch_size ?? IMAP_KEYS.batch_size.default,
      tlsRejectUnauthorized: i.tls_reject_unauthorized ?? IMAP_KEYS.tls_reject_unauthorized.default,
      caFile: pathOf('imap', 'ca_file', i.ca_file),
    };
  }

  let smtp: SmtpConfig | null = null;
  if (doc.smtp?.host !== undefined && doc.smtp.from !== undefined) {
    const s = doc.smtp;
    const secure = s.secure ?? smtpSecure(s.port);
    const passwordFile = pathOf('smtp', 'password_file', s.password_file);
    const password = secretOf('smtp', 'password_file', s.password, passwordFile);
    if (!password.ok) return password;
    smtp = {
      host: s.host!,
      port: s.port ?? smtpPort(secure),
      secure,
      user: s.user ?? null,
      password: password.value,
      passwordFile,
      from: s.from!.trim(),
    };
  }

  const schedule = (key: 'poll' | 'summary' | 'send_reports'): string | null => {
    const v = doc.schedule?.[key]?.trim() ?? SCHEDULE_KEYS[key].default;
    return v === 'off' ? null : v.replace(/\s+/g, ' ');
  };

  const limits = { ...DEFAULT_LIMITS } as { -readonly [K in keyof Limits]: number };
  for (const name of Object.keys(LIMIT_SETTINGS) as (keyof Limits)[]) {
    const v = doc.limits?.[LIMIT_SETTINGS[name]];
    if (v !== undefined) limits[name] = v;
  }
  const serve = { ...DEFAULT_SERVE_LIMITS } as { -readonly [K in keyof ServeLimits]: number };
  for (const name of Object.keys(SERVE_LIMIT_SETTINGS) as (keyof ServeLimits)[]) {
    const v = doc.serve?.[SERVE_LIMIT_SETTINGS[name]];
    if (v !== undefined) serve[name] = v;
  }

  const outbound = doc.outbound;
  return success({
    file: ctx.fileLabel,
    database,
    imap,
    smtp,
    dns: { servers: doc.dns?.servers ?? DNS_KEYS.servers.default, timeoutMs: doc.dns?.timeout_ms ?? DNS_KEYS.timeout_ms.default },
    reporter: {
      orgName: doc.reporter?.org_name ?? null,
      email: doc.reporter?.email ?? null,
      domain: doc.reporter?.domain ?? null,
      extraContactInfo: doc.reporter?.extra_contact_info ?? null,
      format: (doc.reporter?.format as OutboundReportFormat | undefined) ?? REPORTER_KEYS.format.default,
    },
    schedule: {
      poll: schedule('poll'),
      summary: schedule('summary'),
      sendReports: schedule('send_reports'),
    },
    summary: { to: doc.summary?.to ?? SUMMARY_KEYS.to.default, sendEmpty: doc.summary?.send_empty ?? SUMMARY_KEYS.send_empty.default },
    domains: (doc.domains ?? []).map((d) => ({
      name: d.name!,
      // [[domains]] paths always come from the file (RUAFLOW_DOMAINS carries names only).
      dkimKeysDir: d.dkim_keys_dir === undefined ? null : resolve(ctx.fileDir, d.dkim_keys_dir),
      keys: (d.keys ?? DOMAIN_KEYS.keys.default).map((k) => ({
        selector: k.selector,
        privateKeyFile: resolve(ctx.fileDir, k.private_key_file),
        publicKeyFile: k.public_key_file === undefined ? null : resolve(ctx.fileDir, k.public_key_file),
        domain: k.domain ?? null,
      })),
      retiredSelectors: d.retired_selectors ?? DOMAIN_KEYS.retired_selectors.default,
      relays: d.relays ?? DOMAIN_KEYS.relays.default,
      services: (d.services ?? DOMAIN_KEYS.services.default).map((v) =>
        typeof v === 'string'
          ? { name: v, ips: [], ptr: [v.toLowerCase()], dkim: [v.toLowerCase()] }
          : { name: v.name, ips: v.ips ?? [], ptr: v.ptr ?? [], dkim: v.dkim ?? [] },
      ),
      summaryTo: d.summary_to ?? DOMAIN_KEYS.summary_to.default,
    })),
    policy: {
      knownSigners: doc.policy?.known_signers ?? POLICY_KEYS.known_signers.default,
      dkimWhitelist: doc.policy?.dkim_whitelist ?? POLICY_KEYS.dkim_whitelist.default,
      trustedForwarders: doc.policy?.trusted_forwarders ?? POLICY_KEYS.trusted_forwarders.default,
    },
    limits,
    outbound: {
      ownRua: ownRua(outbound?.own_rua ?? OUTBOUND_KEYS.own_rua.default, doc.reporter?.email),
      allowDomains: outbound?.allow_domains ?? OUTBOUND_KEYS.allow_domains.default,
      denyDomains: outbound?.deny_domains ?? OUTBOUND_KEYS.deny_domains.default,
      maxRuaUris: outbound?.max_rua_uris ?? OUTBOUND_KEYS.max_rua_uris.default,
      maxReportsPerRun: outbound?.max_reports_per_run ?? OUTBOUND_KEYS.max_reports_per_run.default,
      paceSeconds: outbound?.pace_seconds ?? OUTBOUND_KEYS.pace_seconds.default,
      maxMessageBytes: outbound?.max_message_bytes ?? OUTBOUND_KEYS.max_message_bytes.default,
      suppressDays: outbound?.suppress_days ?? OUTBOUND_KEYS.suppress_days.default,
      giveUpAfterDays: outbound?.give_up_after_days ?? OUTBOUND_KEYS.give_up_after_days.default,
      archiveDir: pathOf('outbound', 'archive_dir', outbound?.archive_dir) ?? resolve(ctx.cwd, OUTBOUND_KEYS.archive_dir.default),
    },
    serve,
    web: { listen: doc.web?.listen ?? WEB_KEYS.listen.default, basePath: doc.web?.base_path ?? WEB_KEYS.base_path.default },
  });
}
