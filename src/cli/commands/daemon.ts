/**
 * `ruaflow daemon`: with `[imap]`, poll the mailbox on the `[schedule] poll` cron expression (and
 * at start), and with `[imap] idle = true` as soon as the server reports new mail. Never overlaps
 * itself. Without `[imap]` it runs the other jobs (an MX host that only sends reports).
 * Mails last week's summary on `[schedule] summary` (default Monday 08:00) when [smtp] and
 * recipients are configured.
 * With `[reporter]` and `[smtp]`, it also sends outbound aggregate reports on
 * `[schedule] send_reports` (src/cli/commands/send-reports.ts).
 * SIGTERM / SIGINT: the running poll finishes its current message and files what it committed,
 * a running send-reports pass stops at its next safe point, a running summary is finished and
 * mailed to all its recipients; then IMAP and the database are closed and the process exits 0.
 */
import { schedule, setLogger, type ScheduledTask } from 'node-cron';
import { loadAppConfig, openApp } from '../../app/deps.js';
import type { Config } from '../../app/config.js';
import { mailboxLabel, pollLockPath } from '../../app/poll-setup.js';
import { ConfigError, RuaflowError } from '../../errors.js';
import { acquireLock } from '../../platform/lock.js';
import { createLogger } from '../../platform/logger.js';
import { createImapConnector } from '../../sources/imap/connector.js';
import { EXIT } from '../exit.js';
import { parseCommand } from '../options.js';
import { pollOnce } from './poll.js';
import { scheduledSummary, summaryRecipients } from './summary.js';
import { scheduledSendReports } from './send-reports.js';
import { sleep } from '../../platform/sleep.js';
import { DAEMON_IDLE_RETRY_MS as IDLE_RETRY_MS } from '../../limits.js';

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommand('daemon', argv, {}, { min: 0, max: 0, name: '' });
  const config = await loadAppConfig(values);
  const imap = config.imap;
  const missing = missingFor(config);
  const jobs = daemonJobs(config);
  if (jobs.length === 0) {
    throw new ConfigError(
      `daemon: nothing to schedule in ${config.file ?? 'the configuration'}: set [imap] to poll the rua mailbox, [smtp] and [summary] to for the weekly summary, or [reporter] and [smtp] to send aggregate reports`,
    );
  }
  const app = openApp(config, values.db);
  const log = createLogger({ quiet: values.quiet });
  // node-cron's own notices (a run skipped because the last one still runs) go through our
  // logger too, so the daemon's stderr stays one JSON object per line for log shippers.
  const text = (m: string | Error): string => (m instanceof Error ? m.message : m);
  setLogger({
    debug: () => undefined,
    info: (m) => log.info('schedule', { message: text(m) }),
    warn: (m) => log.warn('schedule', { message: text(m) }),
    error: (m, err) => log.error('schedule', { message: text(m), ...(err !== undefined ? { error: err.message } : {}) }),
  });
  const lock = imap === null ? null : acquireLock(pollLockPath(app.dbPath, imap), mailboxLabel(imap));
  const connector = imap === null ? null : createImapConnector(imap, log);
  const stop = new AbortController();

  // One poll at a time: a tick (cron or IDLE) while a poll runs asks for one more pass after it.
  let running: Promise<void> | null = null;
  let again = false;
  const poll = (reason: string): Promise<void> => {
    if (connector === null) return Promise.resolve();
    if (running !== null) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        if (stop.signal.aborted) break;
        const started = performance.now();
        try {
          const t = await pollOnce(connector, app, log, { signal: stop.signal });
          log.info('poll', {
            reason,
            messages: t.messages,
            processed: t.processed,
            new: t.new,
            duplicate: t.duplicate,
            invalid: t.invalid,
            not_aggregate: t.notAggregate,
            ms: Math.round(performance.now() - started),
          });
        } catch (error) {
          // A failed pass is logged and tried again at the next tick; nothing is lost.
          log.error('poll failed', { reason, error: error instanceof Error ? error.message : String(error) });
          if (!(error instanceof RuaflowError)) throw error;
        }
      } while (again);
    })().finally(() => {
      running = null;
    });
    return running;
  };

  const tasks: ScheduledTask[] = [];
  if (config.schedule.poll !== null && imap !== null) {
    tasks.push(schedule(config.schedule.poll, () => poll('schedule'), { name: 'poll', noOverlap: true }));
  }
  // The weekly summary: last week's, mailed to [summary] to and the per-domain recipients. Not
  // scheduled (and said so once) when there is no [smtp] or nobody to send it to. A run in flight
  // at SIGTERM is awaited below, like a poll or a send-reports pass: it is built (a bounded
  // time: PTR lookups give up after 8 s) and mailed to every recipient before the database is
  // closed — never to some and not others — and no new run starts once stopping. Nothing runs at
  // start, so a restart never mails a summary again.
  let summarizing: Promise<void> | null = null;
  if (config.schedule.summary !== null) {
    if (missing.summary === null) {
      const summarize = (): Promise<void> => {
        if (summarizing !== null || stop.signal.aborted) return summarizing ?? Promise.resolve();
        summarizing = scheduledSummary(app.db, config, log, { signal: stop.signal }).finally(() => {
          summarizing = null;
        });
        return summarizing;
      };
      tasks.push(schedule(config.schedule.summary, summarize, { name: 'summary', noOverlap: true }));
    } else {
      log.info('summary not scheduled', { reason: missing.summary, expression: config.schedule.summary });
    }
  }
  // Outbound aggregate reports (README "Sending aggregate reports"): yesterday's on
  // [schedule] send_reports, and every 15 minutes a pass that delivers deferred ones when due.
  let sending: Promise<void> | null = null;
  if (config.schedule.sendReports !== null) {
    if (missing.send_reports !== null) {
      log.info(`send_reports not scheduled: ${missing.send_reports}`, { expression: config.schedule.sendReports });
    } else {
      const send = (build: boolean): Promise<void> => {
        if (sending !== null || stop.signal.aborted) return sending ?? Promise.resolve();
        sending = scheduledSendReports(app, log, { build, signal: stop.signal })
          .catch((error: unknown) => {
            log.error('send-reports failed', { error: error instanceof Error ? error.message : String(error) });
            if (!(error instanceof RuaflowError)) throw error;
          })
          .finally(() => {
            sending = null;
          });
        return sending;
      };
      tasks.push(schedule(config.schedule.sendReports, () => send(true), { name: 'send_reports', noOverlap: true }));
      tasks.push(schedule('*/15 * * * *', () => send(false), { name: 'send_reports_retry', noOverlap: true }));
    }
  }

  const idleLoop = async (): Promise<void> => {
    while (!stop.signal.aborted) {
      try {
        if (connector === null || imap === null) return;
        const session = await connector.open(imap.mailbox);
        try {
          while (!stop.signal.aborted) {
            await session.waitForNews(stop.signal);
            if (!stop.signal.aborted) await poll('idle');
          }
        } finally {
          await session.close();
        }
      } catch (error) {
        if (!(error instanceof RuaflowError)) throw error;
        log.warn('idle failed', { error: error.message, retry_in_s: IDLE_RETRY_MS / 1000 });
        await sleep(IDLE_RETRY_MS, stop.signal);
      }
    }
  };

  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: string): void => {
      log.info('stopping', { signal });
      stop.abort();
      resolve();
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  });

  log.info('daemon started', { jobs: jobs.join(','), mailbox: imap?.mailbox, poll: imap === null ? null : config.schedule.poll, idle: imap?.idle, pid: process.pid });
  const idle = imap?.idle === true ? idleLoop() : Promise.resolve();
  await poll('start');
  await stopped;
  for (const task of tasks) await task.stop();
  await running;
  await sending;
  await summarizing;
  await idle;
  lock?.release();
  app.close();
  log.info('daemon stopped');
  return EXIT.ok;
}

type Job = 'poll' | 'summary' | 'send_reports';

/** What each job lacks in this configuration (null: nothing): poll needs [imap]; the summary
 * [smtp] and recipients; outbound reports [reporter] and [smtp]. */
function missingFor(config: Config): Readonly<Record<Job, string | null>> {
  return {
    poll: config.imap === null ? 'no [imap]' : null,
    summary: config.smtp === null ? 'no [smtp]' : summaryRecipients(config) === 0 ? 'no [summary] to' : null,
    send_reports: config.smtp === null || config.reporter.orgName === null ? '[reporter] and [smtp] are needed' : null,
  };
}

/** The jobs this configuration can run; a job whose schedule is "off" is not listed. */
function daemonJobs(config: Config): Job[] {
  const missing = missingFor(config);
  const scheduled: Readonly<Record<Job, boolean>> = { poll: true, summary: config.schedule.summary !== null, send_reports: config.schedule.sendReports !== null };
  return (['poll', 'summary', 'send_reports'] as const).filter((job) => scheduled[job] && missing[job] === null);
}
