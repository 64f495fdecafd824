/**
 * `ruaflow summary`: what happened to our mail in a period, per policy domain — printed, written
 * to a file (`--out`), or mailed (`--send`, and the daemon's `[schedule] summary`).
 *
 * This is the composition root of a summary: it builds the DNS-backed ports (PTR names, our
 * published policy) unless `--offline`, and the SMTP transport and signing key for `--send`.
 * Exit codes: 0 ok (also when an empty summary was not sent); 2 usage or configuration (no
 * [smtp], no recipients); 1 when a message could not be sent.
 */
import type { Config } from '../../app/config.js';
import { dnsResolver, loadAppConfig, openApp } from '../../app/deps.js';
import { loadSigningIdentities, loadSigningKeys } from '../../app/signing-keys.js';
import { discoverDmarc } from '../../dmarc/discovery.js';
import { policyTags } from '../../dmarc/policy-tags.js';
import { parseSummaryPeriod, type Period } from '../../report/period.js';
import { createPtrNames, type PtrNames } from '../../analyze/ptr-names.js';
import type { Summary } from '../../analyze/summary/types.js';
import { renderSummaryCsv } from '../../deliver/summary-csv.js';
import { renderSummaryHtml } from '../../deliver/summary-html.js';
import { renderSummaryJson } from '../../deliver/summary-json.js';
import { renderSummaryMarkdown } from '../../deliver/summary-markdown.js';
import { renderSummaryText } from '../../deliver/summary-text.js';
import { ConfigError, UsageError } from '../../errors.js';
import type { SummarySendResult } from '../../jobs/send-summary.js';
import { summarize, type SummaryPorts } from '../../jobs/summarize.js';
import { writeFileOrFail } from '../../platform/fs-errors.js';
import { sleep } from '../../platform/sleep.js';
import { holdSignals } from '../../platform/hold-signals.js';
import { fromDomain } from '../../mail/from-address.js';
import { systemClock } from '../../ports/clock.js';
import type { DnsResolver } from '../../ports/dns.js';
import { classifyStored } from '../../jobs/classify-stored.js';
import { PtrCache } from '../../store/ptr-cache.js';
import type { Logger } from '../../ports/logger.js';
import type { Database } from '../../store/database.js';
import { EXIT } from '../exit.js';
import { normalizeDomain, parseCommand } from '../options.js';

const FORMATS = ['text', 'markdown', 'html', 'json', 'csv'] as const;
type Format = (typeof FORMATS)[number];

const RENDER: Readonly<Record<Format, (s: Summary) => string>> = {
  text: renderSummaryText,
  markdown: renderSummaryMarkdown,
  html: renderSummaryHtml,
  json: renderSummaryJson,
  csv: renderSummaryCsv,
};

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommand(
    'summary',
    argv,
    {
      domain: { type: 'string', multiple: true },
      period: { type: 'string' },
      format: { type: 'string' },
      offline: { type: 'boolean', default: false },
      out: { type: 'string' },
      send: { type: 'boolean', default: false },
    },
    { min: 0, max: 0, name: '' },
  );
  const format = values.json ? 'json' : (values.format ?? 'text');
  if (!FORMATS.includes(format as Format)) {
    throw new UsageError(`summary --format ${format}: expected one of ${FORMATS.join(', ')}`);
  }
  const config = await loadAppConfig(values);
  const period = parseSummaryPeriod(values.period ?? 'last-week', systemClock.now());
  if (values.send) requireMail(config);
  const domains = values.domain === undefined ? null : [...new Set(values.domain.map(normalizeDomain))];

  const app = openApp(config, values.db);
  try {
    const summary = await summaryFor(app.db, config, period, domains, values.offline);
    if (values.out !== undefined) writeFileOrFail(values.out, RENDER[format as Format](summary), `summary --out ${values.out}`);
    if (!values.send) {
      if (values.out === undefined) process.stdout.write(RENDER[format as Format](summary));
      return EXIT.ok;
    }
    // Stopped while the summary is being built, nothing is sent; once mailing has begun, SIGTERM
    // and Ctrl-C wait for it to end, so the summary reaches every recipient or none.
    const results = await holdSignals(
      () => mailSummary(summary, config),
      (signal) => process.stderr.write(`ruaflow: ${signal}: sending the rest of the summary first\n`),
    );
    for (const r of results) process.stdout.write(`${describeResult(r)}\n`);
    return results.every((r) => r.outcome.kind === 'sent' || r.outcome.kind === 'skipped') ? EXIT.ok : EXIT.failed;
  } finally {
    app.close();
  }
}

/** The summary with the real ports: DNS for PTR names and our policy, unless offline. The
 * stored classes are brought up to date first (new records, a changed configuration). */
async function summaryFor(
  db: Database,
  config: Config,
  period: Period,
  domains: readonly string[] | null,
  offline: boolean,
  now: number = systemClock.now(),
): Promise<Summary> {
  const resolver = offline ? null : dnsResolver(config);
  // Bounded so that slow reverse DNS never holds the summary up for long: a few seconds per
  // call, the rest of the names come from the cache next time.
  const names = createPtrNames({
    cache: new PtrCache(db),
    resolver,
    clock: systemClock,
    timeoutMs: Math.min(config.dns.timeoutMs, 3000),
    budgetMs: PTR_BUDGET_MS,
    concurrency: 16,
  });
  await classifyStored(db, config, { keys: loadSigningIdentities(config), names, clock: systemClock });
  return summarize(db, config, { period, domains, now }, summaryPorts(resolver, names));
}

/** How long one round of PTR lookups may take. */
const PTR_BUDGET_MS = 8000;

function summaryPorts(resolver: DnsResolver | null, names: PtrNames): SummaryPorts {
  return {
    namesFor: (ips) => names.namesFor(ips),
    publishedPolicy: async (domain) => {
      if (resolver === null) return null;
      // The record `ruaflow check` finds (RFC 9989 §4.10 tree walk), with the tag that applies.
      const found = await discoverDmarc(resolver, domain);
      return found.kind === 'found' ? { ...policyTags(found.record), recordDomain: found.owner, via: found.via, applies: found.applies } : null;
    },
  };
}

/** `--send` and the daemon need somewhere to send from and someone to send to. */
export function requireMail(config: Config): NonNullable<Config['smtp']> {
  if (config.smtp === null) {
    throw new ConfigError(`summary --send: no [smtp] configured; set [smtp] host and from (e.g. host = "smtp.example.com", from = "DMARC <dmarc@example.com>")`);
  }
  if (summaryRecipients(config) === 0) {
    throw new ConfigError(`summary --send: no recipients; set [summary] to = ["postmaster@example.com"] or summary_to in [[domains]]`);
  }
  return config.smtp;
}

/** How many addresses get a summary: `[summary] to` plus every domain's `summary_to`. */
export const summaryRecipients = (config: Config): number =>
  config.summary.to.length + config.domains.reduce((n, d) => n + d.summaryTo.length, 0);

/** Compose, sign and send the summary mails; SmtpError (auth, TLS) propagates. */
export async function mailSummary(summary: Summary, config: Config, now: number = systemClock.now(), done?: ReadonlySet<string>): Promise<SummarySendResult[]> {
  const smtp = requireMail(config);
  // Loaded here, not at the top: mailauth and nodemailer cost a printed summary ~0.3 s to load.
  const [{ sendSummary }, { createSmtpTransport }] = await Promise.all([import('../../jobs/send-summary.js'), import('../../platform/smtp-transport.js')]);
  const key = loadSigningKeys(config).forDomain(fromDomain(smtp.from))[0] ?? null;
  const transport = createSmtpTransport(smtp, { timeoutMs: 30_000 });
  try {
    return await sendSummary(summary, { config: { ...config, smtp }, transport, signingKey: key, date: new Date(now * 1000) }, done);
  } finally {
    await transport.close();
  }
}

function describeResult(r: SummarySendResult): string {
  const who = `to=${r.to.join(',')} domains=${r.domains.join(',') || '-'}`;
  switch (r.outcome.kind) {
    case 'skipped':
      return `summary not sent (nothing reported; set [summary] send_empty = true to send anyway) ${who}`;
    case 'sent':
      return `summary sent ${who}${r.signed ? ' dkim=signed' : ''}${r.signError !== null ? ` dkim_error="${r.signError}"` : ''}`;
    case 'deferred':
      return `summary not sent (deferred${r.outcome.code === null ? '' : ` ${r.outcome.code}`}): ${r.outcome.message} ${who}`;
    case 'rejected':
      return `summary not sent (rejected ${r.outcome.code}): ${r.outcome.message} ${who}`;
  }
}

/** After a deferral (4xx, or the relay unreachable), the scheduled summary tries the messages
 * still unsent again after these waits — within a few hours, not a week later at the next run. */
const SUMMARY_RETRY_DELAYS_MS: readonly number[] = [60_000, 5 * 60_000, 20 * 60_000, 60 * 60_000];

/** The daemon's `[schedule] summary` job: last week's summary, mailed, deferred messages retried
 * (SUMMARY_RETRY_DELAYS_MS); never throws a fault. */
export async function scheduledSummary(
  db: Database,
  config: Config,
  log: Logger,
  options: { readonly now?: () => number; readonly signal?: AbortSignal; readonly retryDelaysMs?: readonly number[] } = {},
): Promise<void> {
  const now = options.now ?? systemClock.now;
  const delays = options.retryDelaysMs ?? SUMMARY_RETRY_DELAYS_MS;
  try {
    const at = now();
    const summary = await summaryFor(db, config, parseSummaryPeriod('last-week', at), null, false, at);
    // Messages sent, skipped or refused for good: never sent again by a retry.
    const done = new Set<string>();
    for (let attempt = 0; ; attempt++) {
      const deferred: SummarySendResult[] = [];
      for (const r of await mailSummary(summary, config, at, done)) {
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

