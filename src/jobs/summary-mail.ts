/**
 * Mailing the summary: `ruaflow summary --send` once, and the daemon's `[schedule] summary`
 * (last week's, deferred messages retried within hours, never a fault thrown).
 */
import type { Config, SmtpConfig } from '../types/config.js';
import type { SigningKey, SigningKeys } from '../types/signing-keys.js';
import { parseSummaryPeriod } from '../report/period.js';
import type { Summary } from '../analyze/summary/types.js';
import { ConfigError } from '../errors.js';
import { fromDomain } from '../mail/from-address.js';
import { sleep } from '../platform/sleep.js';
import type { Logger } from '../ports/logger.js';
import type { SummarySendResult } from './send-summary.js';
import { liveSummary, type LiveSummaryDeps } from './summary.js';
import { SUMMARY_RETRY_DELAYS_MS, SUMMARY_SMTP_TIMEOUT_MS } from '../limits.js';

/** `--send` and the daemon need somewhere to send from and someone to send to. */
export function requireMail(config: Pick<Config, 'smtp' | 'summary' | 'domains'>): SmtpConfig {
  if (config.smtp === null) {
    throw new ConfigError(`summary --send: no [smtp] configured; set [smtp] host and from (e.g. host = "smtp.example.com", from = "DMARC <dmarc@example.com>")`);
  }
  if (summaryRecipients(config) === 0) {
    throw new ConfigError(`summary --send: no recipients; set [summary] to = ["postmaster@example.com"] or summary_to in [[domains]]`);
  }
  return config.smtp;
}

/** How many addresses get a summary: `[summary] to` plus every domain's `summary_to`. */
export const summaryRecipients = (config: Pick<Config, 'summary' | 'domains'>): number =>
  config.summary.to.length + config.domains.reduce((n, d) => n + d.summaryTo.length, 0);

export interface MailSummaryDeps {
  readonly config: Pick<Config, 'smtp' | 'summary' | 'domains'>;
  /** Read only when mailing: a key problem is not a printed summary's concern. */
  readonly signingKeys: () => SigningKeys;
}

/** Compose, sign and send the summary mails; SmtpError (auth, TLS) propagates. */
export async function mailSummary(summary: Summary, deps: MailSummaryDeps, now: number, done?: ReadonlySet<string>): Promise<SummarySendResult[]> {
  const smtp = requireMail(deps.config);
  // Loaded here, not at the top: mailauth and nodemailer cost a printed summary ~0.3 s to load.
  const [{ sendSummary }, { createSmtpTransport }] = await Promise.all([import('./send-summary.js'), import('../platform/smtp-transport.js')]);
  const key: SigningKey | null = deps.signingKeys().forDomain(fromDomain(smtp.from))[0] ?? null;
  const transport = createSmtpTransport(smtp, { timeoutMs: SUMMARY_SMTP_TIMEOUT_MS });
  try {
    return await sendSummary(summary, { config: { ...deps.config, smtp }, transport, signingKey: key, date: new Date(now * 1000) }, done);
  } finally {
    await transport.close();
  }
}

export interface ScheduledSummaryDeps extends MailSummaryDeps {
  /** The summary's ports; the DNS resolver is always on (not offline). */
  readonly live: LiveSummaryDeps;
  readonly log: Logger;
}

/** The daemon's `[schedule] summary` job: last week's summary, mailed, deferred messages retried
 * (SUMMARY_RETRY_DELAYS_MS); never throws a fault. */
export async function scheduledSummary(
  deps: ScheduledSummaryDeps,
  options: { readonly now?: () => number; readonly signal?: AbortSignal; readonly retryDelaysMs?: readonly number[] } = {},
): Promise<void> {
  const { log } = deps;
  const now = options.now ?? deps.live.clock.now;
  const delays = options.retryDelaysMs ?? SUMMARY_RETRY_DELAYS_MS;
  try {
    const at = now();
    const summary = await liveSummary(deps.live, { period: parseSummaryPeriod('last-week', at), domains: null, now: at });
    // Messages sent, skipped or refused for good: never sent again by a retry.
    const done = new Set<string>();
    for (let attempt = 0; ; attempt++) {
      const deferred: SummarySendResult[] = [];
      for (const r of await mailSummary(summary, deps, at, done)) {
        const fields = { to: r.to.join(','), domains: r.domains.join(','), outcome: r.outcome.kind };
        if (r.outcome.kind === 'sent' || r.outcome.kind === 'skipped') log.info('summary', fields);
        else log.error('summary not sent', { ...fields, reason: r.outcome.message });
        if (r.outcome.kind === 'deferred') deferred.push(r);
        else done.add(r.key);
      }
      if (deferred.length === 0) return;
      const wait = delays[attempt];
      if (wait !== undefined && options.signal?.aborted !== true) {
        log.warn('summary retry', { to: deferred.map((r) => r.to.join(',')).join(' '), in_s: Math.round(wait / 1000) });
        await sleep(wait, options.signal);
      }
      // A daemon stopping while it waits does not hold up its exit for another attempt.
      if (wait === undefined || options.signal?.aborted === true) {
        const why = wait === undefined ? `deferred ${attempt + 1} times` : 'stopping before the next attempt';
        for (const r of deferred) log.error('summary given up', { to: r.to.join(','), reason: why });
        return;
      }
    }
  } catch (error) {
    log.error('summary failed', { error: error instanceof Error ? error.message : String(error) });
  }
}
