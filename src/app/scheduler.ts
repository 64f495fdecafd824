/**
 * The daemon's scheduler: with `[imap]`, poll the mailbox on the `[schedule] poll` cron expression
 * (and at start), and with `[imap] idle = true` as soon as the server reports new mail. Never
 * overlaps itself. Without `[imap]` it runs the other jobs (an MX host that only sends reports).
 * Mails last week's summary on `[schedule] summary` (default Monday 08:00) when [smtp] and
 * recipients are configured (src/jobs/summary-mail.ts). With `[reporter]` and `[smtp]`, it also
 * sends outbound aggregate reports on `[schedule] send_reports` (src/jobs/send-reports-pass.ts).
 *
 * Stopping (the `stop` signal, SIGTERM / SIGINT in `ruaflow daemon`): the running poll finishes
 * its current message and files what it committed, a running send-reports pass stops at its next
 * safe point, a running summary is finished and mailed to all its recipients; then IMAP is closed
 * and the lock released. The caller closes the database.
 *
 * The database file is checked (SQLite's quick_check) at start — a damaged one stops the daemon
 * before it writes anything (DatabaseCorruptError, exit 6) — and then daily at DB_CHECK_CRON;
 * each check is one log line (`db check`, with ok and the number of problems). After a failed
 * daily check no poll writes into the file: mail stays in the mailbox until the file is repaired
 * and the daemon restarted.
 */
import { schedule, setLogger, type ScheduledTask } from 'node-cron';
import { ConfigError, recoveryFor, RuaflowError } from '../errors.js';
import { checkDatabase } from '../jobs/db-check.js';
import { pollPass } from '../jobs/poll.js';
import { scheduledSendReports } from '../jobs/send-reports-pass.js';
import { scheduledSummary, summaryRecipients } from '../jobs/summary-mail.js';
import { acquireLock } from '../platform/lock.js';
import { sleep } from '../platform/sleep.js';
import type { Logger } from '../ports/logger.js';
import { createImapConnector } from '../sources/imap/connector.js';
import type { Config } from './config.js';
import { quickCheckFailed, scheduledSendReportsDeps, scheduledSummaryDeps, type AppDeps } from './deps.js';
import { mailboxLabel, pollLockPath, pollPassDeps } from './poll-setup.js';
import { DB_CHECK_CRON, DAEMON_IDLE_RETRY_MS as IDLE_RETRY_MS } from '../limits.js';

/** The jobs this configuration schedules; a ConfigError when there is nothing to schedule. */
export function planDaemon(config: Config): Job[] {
  const jobs = daemonJobs(config);
  if (jobs.length === 0) {
    throw new ConfigError(
      `daemon: nothing to schedule in ${config.file ?? 'the configuration'}: set [imap] to poll the rua mailbox, [smtp] and [summary] to for the weekly summary, or [reporter] and [smtp] to send aggregate reports`,
    );
  }
  return jobs;
}

/** Run the scheduled jobs until `stop` is aborted, then wait for the running ones to end. */
export async function runScheduler(app: AppDeps, log: Logger, stop: AbortSignal, pid: number): Promise<void> {
  const { config } = app;
  const imap = config.imap;
  const missing = missingFor(config);
  const jobs = planDaemon(config);
  // node-cron's own notices (a run skipped because the last one still runs) go through our
  // logger too, so the daemon's stderr stays one JSON object per line for log shippers.
  const text = (m: string | Error): string => (m instanceof Error ? m.message : m);
  setLogger({
    debug: () => undefined,
    info: (m) => log.info('schedule', { message: text(m) }),
    warn: (m) => log.warn('schedule', { message: text(m) }),
    error: (m, err) => log.error('schedule', { message: text(m), ...(err !== undefined ? { error: err.message } : {}) }),
  });
  // At start, before anything is written: a damaged file stops the daemon here.
  let sound = checkDatabaseLogged(app, log, 'start');
  if (!sound.ok) throw quickCheckFailed(app.dbPath, sound.problems);
  const lock = imap === null ? null : acquireLock(pollLockPath(app.dbPath, imap), mailboxLabel(imap));
  const connector = imap === null ? null : createImapConnector(imap, log);

  // One poll at a time: a tick (cron or IDLE) while a poll runs asks for one more pass after it.
  let running: Promise<void> | null = null;
  let again = false;
  const poll = (reason: string): Promise<void> => {
    if (connector === null || imap === null) return Promise.resolve();
    if (running !== null) {
      again = true;
      return running;
    }
    if (!sound.ok) {
      log.error('poll skipped', { reason, why: 'the database file is damaged (see the db check line); the mail stays in the mailbox' });
      return Promise.resolve();
    }
    running = (async () => {
      do {
        again = false;
        if (stop.aborted) break;
        const started = performance.now();
        try {
          const t = await pollPass(pollPassDeps(app, imap, connector, log), { signal: stop });
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
  tasks.push(
    schedule(
      DB_CHECK_CRON,
      () => {
        sound = checkDatabaseLogged(app, log, 'schedule');
      },
      { name: 'db_check', noOverlap: true },
    ),
  );
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
        if (summarizing !== null || stop.aborted) return summarizing ?? Promise.resolve();
        summarizing = scheduledSummary(scheduledSummaryDeps(app.db, config, log), { signal: stop }).finally(() => {
          summarizing = null;
        });
        return summarizing;
      };
      tasks.push(schedule(config.schedule.summary, summarize, { name: 'summary', noOverlap: true }));
    } else {
      log.info('summary not scheduled', { reason: missing.summary, expression: config.schedule.summary });
    }
  }
  // Outbound aggregate reports (docs/sending-reports.md): yesterday's on
  // [schedule] send_reports, and every 15 minutes a pass that delivers deferred ones when due.
  let sending: Promise<void> | null = null;
  if (config.schedule.sendReports !== null) {
    if (missing.send_reports !== null) {
      log.info(`send_reports not scheduled: ${missing.send_reports}`, { expression: config.schedule.sendReports });
    } else {
      const send = (build: boolean): Promise<void> => {
        if (sending !== null || stop.aborted) return sending ?? Promise.resolve();
        sending = scheduledSendReports(scheduledSendReportsDeps(app, log), { build, signal: stop })
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
    while (!stop.aborted) {
      try {
        if (connector === null || imap === null) return;
        const session = await connector.open(imap.mailbox);
        try {
          while (!stop.aborted) {
            await session.waitForNews(stop);
            if (!stop.aborted) await poll('idle');
          }
        } finally {
          await session.close();
        }
      } catch (error) {
        if (!(error instanceof RuaflowError)) throw error;
        log.warn('idle failed', { error: error.message, retry_in_s: IDLE_RETRY_MS / 1000 });
        await sleep(IDLE_RETRY_MS, stop);
      }
    }
  };

  const stopped = new Promise<void>((resolve) => {
    if (stop.aborted) resolve();
    else stop.addEventListener('abort', () => resolve(), { once: true });
  });

  log.info('daemon started', { jobs: jobs.join(','), mailbox: imap?.mailbox, poll: imap === null ? null : config.schedule.poll, idle: imap?.idle, pid, ...nextRuns(tasks) });
  const idle = imap?.idle === true ? idleLoop() : Promise.resolve();
  await poll('start');
  await stopped;
  for (const task of tasks) await task.stop();
  await running;
  await sending;
  await summarizing;
  await idle;
  lock?.release();
}

type Job = 'poll' | 'summary' | 'send_reports';

/** The quick check of the database file, logged as one line: `db check` with ok and the number of
 * problems (info), or with the first problem and what to do (error). */
function checkDatabaseLogged(app: AppDeps, log: Logger, reason: 'start' | 'schedule'): { ok: boolean; problems: readonly string[] } {
  const started = performance.now();
  let problems: readonly string[];
  try {
    problems = checkDatabase(app.db, { quick: true }).problems;
  } catch (error) {
    // Not damage (that is a problem in the list): the check could not run (the file went away, I/O).
    log.error('db check failed', { reason, error: error instanceof Error ? error.message : String(error) });
    if (reason === 'start') throw error;
    return { ok: true, problems: [] };
  }
  const ms = Math.round(performance.now() - started);
  if (problems.length === 0) {
    log.info('db check', { reason, check: 'quick_check', database: app.dbPath, ok: true, problems: 0, ms });
    return { ok: true, problems };
  }
  log.error('db check', { reason, check: 'quick_check', database: app.dbPath, ok: false, problems: problems.length, first: problems[0], ms, fix: recoveryFor(app.dbPath) });
  return { ok: false, problems };
}

/** `next_<job>`: when each scheduled job runs next (ISO 8601, UTC), as node-cron computes it from
 * the expression in local time — so that the start line answers "when does it run?" without
 * reading cron syntax. The retry pass of send_reports (every 15 minutes) is not a job of its own. */
function nextRuns(tasks: readonly ScheduledTask[]): Record<string, string | null> {
  const next: Record<string, string | null> = {};
  for (const task of tasks) {
    if (task.name === undefined || task.name.endsWith('_retry')) continue;
    next[`next_${task.name}`] = task.getNextRun()?.toISOString() ?? null;
  }
  return next;
}

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
export function daemonJobs(config: Config): Job[] {
  const missing = missingFor(config);
  const scheduled: Readonly<Record<Job, boolean>> = { poll: true, summary: config.schedule.summary !== null, send_reports: config.schedule.sendReports !== null };
  return (['poll', 'summary', 'send_reports'] as const).filter((job) => scheduled[job] && missing[job] === null);
}
