/**
 * The send-reports use case (issue 7): build the aggregate reports of one UTC day from the
 * recorded evaluations, then deliver every report that is due — new ones and deferred ones
 * whose retry time has come.
 *
 *   build:   per policy domain (one at a time: bounded memory) → groups per policy
 *            configuration → safety rules → XML → gzip → stored with one pending delivery per
 *            rua address (src/store/outbound.ts), or recorded as skipped with the reason.
 *   deliver: per due delivery → expiry, suppression list, external-destination check (DNS) →
 *            compose + DKIM-sign → size limits → pacing per destination host → SMTP → the
 *            outcome committed at once (sent / deferred with backoff / rejected → suppressed).
 *
 * A dry run builds and writes the files only, and checks each destination as a real send would
 * (suppression list, external-destination check: DNS) to say which ones that send would refuse:
 * no database writes, no SMTP.
 */
import type { OutboundReportFormat } from '../types/config.js';
import type { OutboundConfig } from '../types/config.js';
import { composeMessage } from '../mail/compose.js';
import type { Clock } from '../ports/clock.js';
import type { DnsResolver } from '../ports/dns.js';
import type { Logger } from '../ports/logger.js';
import type { MailTransport } from '../ports/mail.js';
import { aggregatePolicyDomain, type PolicyGroup } from '../receiver/aggregate.js';
import { buildAggregateXml } from '../report/aggregate/build.js';
import { outboundReport } from '../receiver/outbound-report.js';
import { checkDestination, type DestinationCheck } from '../dmarc/destination.js';
import { gzipReport, reportFilename, reportIdFor, reportMessage } from '../receiver/package.js';
import { planRetry } from '../receiver/retry-schedule.js';
import { parseRua, type RuaDestination } from '../dmarc/rua.js';
import { safetyVerdict } from '../receiver/safety.js';
import type { EvaluationHistory, EvaluationReader } from '../store/evaluations-read.js';
import type { DueDelivery, OutboundStore } from '../store/outbound.js';
import { STORED_REPLY_CHARS } from '../limits.js';
import { DAY, type Period } from '../report/period.js';

/** Who we are in the reports (a validated `[reporter]`). */
export interface Reporter {
  readonly orgName: string;
  readonly email: string;
  readonly domain: string;
  readonly extraContactInfo: string | null;
  readonly format: OutboundReportFormat;
}

export interface BuildDeps {
  /** Streams the period's evaluations (its own connection). */
  readonly evaluations: EvaluationReader;
  readonly history: EvaluationHistory;
  /** null in a dry run: nothing is recorded. */
  readonly outbound: OutboundStore | null;
  readonly reporter: Reporter;
  readonly settings: OutboundConfig;
  readonly clock: Clock;
  readonly log: Logger;
  /** `ruaflow 0.1.0`: report_metadata/generator. */
  readonly generator: string;
  /** Dry run: where each built report goes (file name, gzip bytes). */
  readonly write?: (filename: string, payload: Uint8Array) => void;
}

export interface BuiltReport {
  readonly policyDomain: string;
  readonly reportId: string;
  readonly filename: string;
  readonly records: number;
  readonly messages: number;
  readonly destinations: readonly string[];
  /** The rua destinations behind `destinations`, as the delivery checks them. */
  readonly targets: readonly RuaDestination[];
}

/** A destination of a built report that the real send would not use now (dry run). */
export interface DestinationNote {
  readonly address: string;
  readonly reason: string;
}

/** What a dry run found for one built report's destinations. */
export interface DestinationNotes {
  /** The real send would refuse these (suppressed, or an external destination not authorised). */
  readonly refused: readonly DestinationNote[];
  /** Could not be checked now (a DNS temperror): the real send would defer and retry them. */
  readonly unverified: readonly DestinationNote[];
}

export interface BuildTotals {
  readonly built: BuiltReport[];
  /** Reports of this period recorded by an earlier run (never built twice). */
  alreadyBuilt: number;
  readonly skipped: { readonly policyDomain: string; readonly reason: string }[];
  /** rua URIs not used, with why. */
  readonly ignoredUris: { readonly policyDomain: string; readonly uri: string; readonly reason: string }[];
  /** Evaluations of the period (those with a policy domain). */
  evaluations: number;
  /** Policy configurations of the period without a rua tag: nobody asked for a report. */
  noRua: number;
}

/** Nothing built yet: the start of a build, and what a pass that builds nothing reports. */
export const emptyBuildTotals = (): BuildTotals => ({ built: [], alreadyBuilt: 0, skipped: [], ignoredUris: [], evaluations: 0, noRua: 0 });

export async function buildReports(deps: BuildDeps, period: Period, signal?: AbortSignal): Promise<BuildTotals> {
  const totals = emptyBuildTotals();
  const ownRua = new Set(deps.settings.ownRua);
  let domains = 0;
  for (const { evaluations } of deps.evaluations.byPolicyDomain(period.begin, period.end - 1)) {
    if (signal?.aborted === true) break;
    totals.evaluations += evaluations.length;
    for (const group of aggregatePolicyDomain(evaluations, ownRua)) {
      buildOne(deps, period, group, totals);
    }
    // Let a signal or a timer through now and then (a day can hold thousands of domains).
    if (++domains % 200 === 0) await new Promise((r) => setImmediate(r));
  }
  return totals;
}

function buildOne(deps: BuildDeps, period: Period, group: PolicyGroup, totals: BuildTotals): void {
  const { reporter, outbound } = deps;
  // Most senders publish no rua: not a report we skip, just none asked for (not recorded).
  if (group.rua === null || group.rua.trim() === '') {
    totals.noRua++;
    return;
  }
  if (outbound !== null && outbound.has(group.policyDomain, group.configKey, period.begin)) {
    totals.alreadyBuilt++;
    return;
  }
  // A report's date_range ends on the period's last second (RFC 7489 App. C: 23:59:59).
  const last = period.end - 1;
  const reportId = reportIdFor({ reporterDomain: reporter.domain, policyDomain: group.policyDomain, configKey: group.configKey, begin: period.begin });
  const filename = reportFilename(reporter.domain, group.policyDomain, period.begin, last, reportId);
  const builtAt = deps.clock.now();
  const identity = {
    policyDomain: group.policyDomain,
    configKey: group.configKey,
    begin: period.begin,
    end: last,
    reportId,
    filename,
    format: reporter.format,
    records: group.rows.length,
    messages: group.messages,
    rua: group.rua,
    builtAt,
  };
  const skip = (reason: string): void => {
    totals.skipped.push({ policyDomain: group.policyDomain, reason });
    outbound?.addSkipped(identity, reason);
    deps.log.info('report skipped', { policy_domain: group.policyDomain, day: period.label, reason });
  };

  const verdict = safetyVerdict(group, {
    allowDomains: deps.settings.allowDomains,
    denyDomains: deps.settings.denyDomains,
    everAccepted: () => deps.history.everAccepted(group.policyDomain),
  });
  if (!verdict.send) return skip(verdict.reason);
  const rua = parseRua(group.rua, deps.settings.maxRuaUris);
  for (const i of rua.ignored) {
    totals.ignoredUris.push({ policyDomain: group.policyDomain, uri: i.uri, reason: i.reason });
    deps.log.warn('rua URI ignored', { policy_domain: group.policyDomain, uri: i.uri, reason: i.reason });
  }
  if (rua.destinations.length === 0) return skip('no usable rua URI');

  const xml = buildAggregateXml(outboundReport({
    format: reporter.format,
    orgName: reporter.orgName,
    email: reporter.email,
    extraContactInfo: reporter.extraContactInfo,
    reportId,
    begin: period.begin,
    end: last,
    generator: deps.generator,
    policyDomain: group.policyDomain,
    policy: group.policy,
    rows: group.rows,
  }));
  const payload = gzipReport(xml);
  const destinations = rua.destinations.map((d) => d.address);
  if (outbound === null) {
    deps.write?.(filename, payload);
  } else if (!outbound.addBuilt({ ...identity, payload }, rua.destinations.map((d) => ({ address: d.address, uri: d.uri, maxBytes: d.maxBytes })))) {
    totals.alreadyBuilt++;
    return;
  }
  totals.built.push({ policyDomain: group.policyDomain, reportId, filename, records: group.rows.length, messages: group.messages, destinations, targets: rua.destinations });
}

// ---------------------------------------------------------------------------------------------
// Destination checks, shared by the delivery and the dry run so the two cannot disagree

export interface DestinationDeps {
  readonly resolver: DnsResolver;
  readonly outbound: Pick<OutboundStore, 'suppression'>;
}

export type DestinationVerdict = { readonly kind: 'suppressed'; readonly reason: string } | DestinationCheck;

/** May a report for `policyDomain` go to `destination` now: the suppression list (an address
 * that refused our reports), then the external-destination check (RFC 9990 §3, DNS). */
export async function destinationVerdict(deps: DestinationDeps, policyDomain: string, destination: RuaDestination, now: number): Promise<DestinationVerdict> {
  const suppression = deps.outbound.suppression(destination.address, now);
  if (suppression !== null) return { kind: 'suppressed', reason: `suppressed until ${new Date(suppression.expiresAt * 1000).toISOString()}: ${suppression.reason}` };
  return checkDestination(deps.resolver, policyDomain, destination);
}

/** Dry run: the destinations of one built report that the real send would refuse or defer. */
export async function checkBuiltDestinations(deps: DestinationDeps & { readonly clock: Clock }, report: BuiltReport): Promise<DestinationNotes> {
  const refused: DestinationNote[] = [];
  const unverified: DestinationNote[] = [];
  for (const target of report.targets) {
    const verdict = await destinationVerdict(deps, report.policyDomain, target, deps.clock.now());
    if (verdict.kind === 'suppressed' || verdict.kind === 'unauthorized') refused.push({ address: target.address, reason: verdict.reason });
    else if (verdict.kind === 'temperror') unverified.push({ address: target.address, reason: verdict.reason });
  }
  return { refused, unverified };
}

// ---------------------------------------------------------------------------------------------
// Delivery

export interface DeliverDeps {
  readonly outbound: OutboundStore;
  readonly reporter: Reporter;
  readonly settings: OutboundConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly resolver: DnsResolver;
  readonly transport: MailTransport;
  /** DKIM-sign a composed message with our key for the From domain. */
  readonly sign: (raw: Buffer) => Promise<Buffer>;
  /** Keep a copy of a sent report (`[outbound] archive_dir`). */
  readonly archive: (filename: string, payload: Uint8Array) => void;
  /** Wait (pacing); resolves early when the signal aborts. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface DeliveryTotals {
  sent: number;
  deferred: number;
  rejected: number;
  suppressed: number;
  unauthorized: number;
  tooBig: number;
  expired: number;
  /** Due, but over `max_reports_per_run` or after the relay went away: the next run takes them. */
  leftForNextRun: number;
  /** The relay could not be reached: the run stopped early. */
  relayUnreachable: string | null;
  readonly sentReports: { readonly reportId: string; readonly filename: string; readonly address: string }[];
}

export async function deliverDue(deps: DeliverDeps, signal?: AbortSignal): Promise<DeliveryTotals> {
  const totals: DeliveryTotals = { sent: 0, deferred: 0, rejected: 0, suppressed: 0, unauthorized: 0, tooBig: 0, expired: 0, leftForNextRun: 0, relayUnreachable: null, sentReports: [] };
  const { outbound, settings, log } = deps;
  const lastSentAt = new Map<string, number>();
  const archived = new Set<string>();
  let offered = 0;
  const due = outbound.due(deps.clock.now());
  for (const [index, d] of due.entries()) {
    if (signal?.aborted === true || totals.relayUnreachable !== null || offered >= settings.maxReportsPerRun) {
      totals.leftForNextRun = due.length - index;
      break;
    }
    const now = deps.clock.now();
    const fields = { report_id: d.reportId, policy_domain: d.policyDomain, to: d.address };
    if (d.state === 'deferred' && now > d.builtAt + settings.giveUpAfterDays * DAY) {
      outbound.settle(d.reportRow, d.address, { state: 'expired', at: now, attempted: false, message: `still deferred after ${settings.giveUpAfterDays} days` });
      totals.expired++;
      log.warn('report given up', fields);
      continue;
    }
    const host = d.address.slice(d.address.lastIndexOf('@') + 1);
    const check = await destinationVerdict(deps, d.policyDomain, { uri: d.uri, address: d.address, host, maxBytes: d.maxBytes }, now);
    if (check.kind === 'suppressed') {
      outbound.settle(d.reportRow, d.address, { state: 'suppressed', at: now, attempted: false, message: check.reason });
      totals.suppressed++;
      log.info('report not sent: address suppressed', fields);
      continue;
    }
    if (check.kind === 'unauthorized') {
      outbound.settle(d.reportRow, d.address, { state: 'unauthorized', at: now, attempted: true, message: check.reason });
      totals.unauthorized++;
      log.warn('report not sent: external destination not authorised', { ...fields, reason: check.reason });
      continue;
    }
    if (check.kind === 'temperror') {
      defer(deps, d, now, null, check.reason, totals);
      continue;
    }
    const target = check.destination;
    const payload = outbound.payload(d.reportRow);
    const parts = reportMessage({
      orgName: deps.reporter.orgName,
      fromEmail: deps.reporter.email,
      reporterDomain: deps.reporter.domain,
      policyDomain: d.policyDomain,
      reportId: d.reportId,
      filename: d.filename,
      begin: d.begin,
      end: d.end,
      format: d.format,
      payload,
      to: target.address,
      builtAt: d.builtAt,
    });
    const raw = await deps.sign(await composeMessage(parts));
    // RFC 7489 §6.2: the limit applies to the message as sent (after compression and base64);
    // RFC 9990 drops the size suffix, so only our own cap applies there.
    const uriLimit = d.format === 'rfc7489' ? target.maxBytes : null;
    const limit = Math.min(settings.maxMessageBytes, uriLimit ?? Number.POSITIVE_INFINITY);
    if (raw.length > limit) {
      const why = `the message is ${raw.length} bytes, over the limit of ${limit}${uriLimit !== null && uriLimit <= settings.maxMessageBytes ? ` (${d.uri} asks for at most ${uriLimit})` : ' ([outbound] max_message_bytes)'}`;
      outbound.settle(d.reportRow, d.address, { state: 'too_big', at: now, attempted: false, message: why });
      totals.tooBig++;
      log.warn('report not sent: too big', { ...fields, reason: why });
      continue;
    }
    const last = lastSentAt.get(target.host);
    if (last !== undefined && settings.paceSeconds > 0) {
      const wait = last + settings.paceSeconds * 1000 - performance.now();
      if (wait > 0) await deps.sleep(wait, signal);
      if (isAborted(signal)) {
        totals.leftForNextRun = due.length - index;
        break;
      }
    }
    offered++;
    const outcome = await deps.transport.send({ from: deps.reporter.email, to: [target.address] }, raw);
    lastSentAt.set(target.host, performance.now());
    const at = deps.clock.now();
    if (outcome.kind === 'sent') {
      // Committed right after the 250: a crash before this line sends the same report again.
      outbound.settle(d.reportRow, d.address, { state: 'sent', at, attempted: true, message: outcome.response.slice(0, STORED_REPLY_CHARS) });
      totals.sent++;
      totals.sentReports.push({ reportId: d.reportId, filename: d.filename, address: target.address });
      if (!archived.has(d.filename)) {
        deps.archive(d.filename, payload);
        archived.add(d.filename);
      }
      log.info('report sent', { ...fields, filename: d.filename });
    } else if (outcome.kind === 'deferred') {
      defer(deps, d, at, outcome.code, outcome.message, totals);
      if (outcome.code === null) totals.relayUnreachable = outcome.message;
    } else {
      outbound.settle(d.reportRow, d.address, { state: 'rejected', at, attempted: true, code: outcome.code, message: outcome.message.slice(0, STORED_REPLY_CHARS) });
      outbound.suppress(d.address, outcome.message.slice(0, STORED_REPLY_CHARS), outcome.code, at, at + settings.suppressDays * DAY);
      totals.rejected++;
      log.warn('report rejected; address suppressed', { ...fields, code: outcome.code, message: outcome.message, days: settings.suppressDays });
    }
  }
  return totals;
}

function defer(deps: DeliverDeps, d: DueDelivery, now: number, code: number | null, message: string, totals: DeliveryTotals): void {
  const attempts = d.attempts + 1;
  const plan = planRetry(attempts, now, d.builtAt, deps.settings.giveUpAfterDays);
  const fields = { report_id: d.reportId, policy_domain: d.policyDomain, to: d.address, code, reason: message };
  if (plan.kind === 'expired') {
    deps.outbound.settle(d.reportRow, d.address, { state: 'expired', at: now, attempted: true, code, message: `given up after ${attempts} attempts: ${message}`.slice(0, STORED_REPLY_CHARS) });
    totals.expired++;
    deps.log.warn('report given up', fields);
    return;
  }
  deps.outbound.settle(d.reportRow, d.address, { state: 'deferred', at: now, attempted: true, code, message: message.slice(0, STORED_REPLY_CHARS), nextAttemptAt: plan.at });
  totals.deferred++;
  deps.log.info('report deferred', { ...fields, next_attempt: new Date(plan.at * 1000).toISOString() });
}

/** Read through a call, so that the compiler does not narrow `aborted` across an await. */
const isAborted = (signal: AbortSignal | undefined): boolean => signal?.aborted === true;
