/**
 * `ruaflow verify [FILE|-] --ip IP --helo NAME --mail-from ADDR [--rcpt ADDR…] [--json]
 * [--no-record] [--authserv-id ID]`: verify one received message, decide, record, print the
 * Authentication-Results header (or the JSON evaluation), exit with the decision's code.
 */
import { hostname } from 'node:os';
import { dnsResolver, loadAppConfig, openApp, type AppDeps } from '../../app/deps.js';
import type { Config } from '../../app/config.js';
import { UsageError } from '../../errors.js';
import { verifyMessage, type VerifyDeps } from '../../jobs/verify-message.js';
import { createLogger } from '../../platform/logger.js';
import { readMessage } from '../../platform/read-message.js';
import { systemClock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import { foldHeader } from '../../receiver/auth-results.js';
import { checkEnvelope } from '../../receiver/envelope.js';
import { evaluationJson } from '../../receiver/evaluation-json.js';
import type { Evaluation } from '../../receiver/types.js';
import { EvaluationStore } from '../../store/evaluations.js';
import { DECISION_EXIT } from '../exit.js';
import { parseCommand } from '../options.js';

export const VERIFY_OPTIONS = {
  'authserv-id': { type: 'string' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    'verify',
    argv,
    {
      ...VERIFY_OPTIONS,
      ip: { type: 'string' },
      helo: { type: 'string' },
      'mail-from': { type: 'string' },
      rcpt: { type: 'string', multiple: true },
      'no-record': { type: 'boolean', default: false },
    },
    { min: 0, max: 1, name: 'FILE' },
  );
  for (const flag of ['ip', 'helo', 'mail-from'] as const) {
    if (values[flag] === undefined) throw new UsageError(`verify: --${flag} is required; see ruaflow --help`);
  }
  const checked = checkEnvelope(
    // A --rcpt may carry several addresses separated by commas: Exim's $recipients, passed as
    // one argument (README "Integration").
    { ip: values.ip, helo: values.helo, mailFrom: values['mail-from'], rcpt: (values.rcpt ?? []).flatMap((r) => r.split(',')).filter((r) => r.trim() !== '') },
    { ip: '--ip', helo: '--helo', mailFrom: '--mail-from', rcpt: '--rcpt' },
  );
  if (!checked.ok) throw new UsageError(`verify: ${checked.error}`);

  const config = await loadAppConfig(values);
  const message = await readMessage(positionals[0] ?? '-', config.limits);
  const log = createLogger({ quiet: values.quiet });
  const app = values['no-record'] ? null : openApp(config, values.db);
  try {
    const deps = verifyDeps(config, app, log, values['authserv-id']);
    const { evaluation } = await verifyMessage(deps, message, checked.envelope);
    process.stdout.write(values.json ? `${JSON.stringify(evaluationJson(evaluation))}\n` : renderVerdict(evaluation));
    return DECISION_EXIT[evaluation.verdict.decision];
  } finally {
    app?.close();
  }
}

/** The verification dependencies of a run: shared with `ruaflow serve`. */
export function verifyDeps(config: Config, app: AppDeps | null, log: Logger, authservId: string | undefined): VerifyDeps {
  return {
    resolver: dnsResolver(config),
    policy: config.policy,
    authservId: authservId ?? config.reporter.domain ?? hostname(),
    clock: systemClock,
    log,
    store: app === null ? null : new EvaluationStore(app.db),
    sample: () => Math.random() * 100,
  };
}

/** The header, folded, and the decision as a header an MTA can add beside it. */
function renderVerdict(e: Evaluation): string {
  const why = e.verdict.reasons.join('; ').replace(/[\r\n]+/g, ' ').replace(/[\\"]/g, (c) => `\\${c}`);
  return `${foldHeader(e.authenticationResults)}\nX-Ruaflow-Decision: ${e.verdict.decision}${why !== '' ? `; reason="${why}"` : ''}\n`;
}
