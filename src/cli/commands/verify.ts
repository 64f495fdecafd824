/**
 * `ruaflow verify [FILE|-] --ip IP --helo NAME --mail-from ADDR [--rcpt ADDR…] [--json]
 * [--no-record] [--authserv-id ID]`: verify one received message, decide, record, print the
 * Authentication-Results header (or the JSON evaluation), exit with the decision's code.
 */
import { damaged, loadAppConfig, openApp, verifyDeps } from '../../app/deps.js';
import { UsageError, VerifyTimeoutError } from '../../errors.js';
import { verifyWithin } from '../../jobs/verify-deadline.js';
import { SERVE_LIMIT_SETTINGS } from '../../limits.js';
import { createLogger } from '../../platform/logger.js';
import { readMessage } from '../../platform/read-message.js';
import { foldHeader } from '../../receiver/auth-results.js';
import { checkEnvelope } from '../../receiver/envelope.js';
import { evaluationJson } from '../../receiver/evaluation-json.js';
import type { Evaluation } from '../../receiver/types.js';
import { DECISION_EXIT } from '../exit.js';
import type { CommonOptions } from '../options.js';

export interface VerifyOptions extends CommonOptions {
  readonly ip?: string;
  readonly helo?: string;
  readonly mailFrom?: string;
  readonly rcpt?: readonly string[];
  readonly authservId?: string;
  /** false with --no-record. */
  readonly record?: boolean;
}

export async function run(values: VerifyOptions, positionals: readonly string[]): Promise<number> {
  for (const [flag, value] of [['ip', values.ip], ['helo', values.helo], ['mail-from', values.mailFrom]] as const) {
    if (value === undefined) throw new UsageError(`verify: --${flag} is required; see ruaflow verify --help`);
  }
  const checked = checkEnvelope(
    // A --rcpt may carry several addresses separated by commas: Exim's $recipients, passed as
    // one argument (docs/verifying-mail.md "Integration").
    { ip: values.ip, helo: values.helo, mailFrom: values.mailFrom, rcpt: (values.rcpt ?? []).flatMap((r) => r.split(',')).filter((r) => r.trim() !== '') },
    { ip: '--ip', helo: '--helo', mailFrom: '--mail-from', rcpt: '--rcpt' },
  );
  if (!checked.ok) throw new UsageError(`verify: ${checked.error}`);

  const config = await loadAppConfig(values);
  const message = await readMessage(positionals[0] ?? '-', config.limits);
  const log = createLogger({ quiet: values.quiet === true });
  const app = values.record === false ? null : openApp(config, values.db);
  try {
    const deps = verifyDeps(config, app, log, values.authservId);
    // The same overall deadline as serve's (`[serve] verify_timeout_ms`).
    const timeoutMs = config.serve.verifyTimeoutMs;
    const outcome = await verifyWithin(deps, message, checked.envelope, timeoutMs);
    if (outcome.kind === 'timeout') {
      throw new VerifyTimeoutError(
        `verification timed out after ${timeoutMs} ms (DNS too slow?); not recorded: the message is deferred (raise [serve] ${SERVE_LIMIT_SETTINGS.verifyTimeoutMs} to wait longer)`,
      );
    }
    const { evaluation } = outcome;
    process.stdout.write(values.json === true ? `${JSON.stringify(evaluationJson(evaluation))}\n` : renderVerdict(evaluation));
    return DECISION_EXIT[evaluation.verdict.decision];
  } catch (error) {
    throw app === null ? error : damaged(error, app.dbPath);
  } finally {
    app?.close();
  }
}

/** The header, folded, and the decision as a header an MTA can add beside it. */
function renderVerdict(e: Evaluation): string {
  const why = e.verdict.reasons.join('; ').replace(/[\r\n]+/g, ' ').replace(/[\\"]/g, (c) => `\\${c}`);
  return `${foldHeader(e.authenticationResults)}\nX-Ruaflow-Decision: ${e.verdict.decision}${why !== '' ? `; reason="${why}"` : ''}\n`;
}
