/**
 * Sending the summary by e-mail: plan the messages (who gets which domains), skip the empty
 * ones unless `send_empty`, compose, DKIM-sign with our key for the From domain when we hold one,
 * and hand each to the mail transport. Outcomes are values: the caller decides the exit code.
 */
import type { Config } from '../types/config.js';
import type { SigningKey } from '../types/signing-keys.js';
import type { Summary } from '../analyze/summary/types.js';
import { composeSummaryMail, planSummaryMails, shouldSend } from '../deliver/summary-email.js';
import { signMessage } from '../mail/dkim-sign.js';
import { fromAddress } from '../mail/from-address.js';
import type { MailTransport, SendOutcome } from '../ports/mail.js';

export interface SummarySendResult {
  readonly to: readonly string[];
  /** Which message of the summary this is (mailKey): a retry skips the keys already handled. */
  readonly key: string;
  readonly domains: readonly string[];
  /** `skipped`: nothing reported and send_empty is off. */
  readonly outcome: SendOutcome | { readonly kind: 'skipped' };
  /** Why the message went out unsigned; null when signed or when we hold no key. */
  readonly signError: string | null;
  readonly signed: boolean;
}

export interface SendSummaryDeps {
  readonly config: Pick<Config, 'summary' | 'domains'> & { readonly smtp: { readonly from: string } };
  readonly transport: MailTransport;
  /** Our key for the From domain, or null to send unsigned. */
  readonly signingKey: SigningKey | null;
  readonly date: Date;
}

/** Which message of a summary: its recipients (each message of one summary has its own set). */
const mailKey = (to: readonly string[]): string => to.join(',');

/** `done`: keys of messages already handled by an earlier attempt (SummarySendResult.key), not
 * sent again. */
export async function sendSummary(summary: Summary, deps: SendSummaryDeps, done: ReadonlySet<string> = new Set()): Promise<SummarySendResult[]> {
  const results: SummarySendResult[] = [];
  for (const mail of planSummaryMails(summary, deps.config)) {
    const key = mailKey(mail.to);
    if (done.has(key)) continue;
    const domains = mail.summary.domains.map((d) => d.domain);
    if (!shouldSend(mail, deps.config.summary.sendEmpty)) {
      results.push({ to: mail.to, key, domains, outcome: { kind: 'skipped' }, signError: null, signed: false });
      continue;
    }
    let raw = await composeSummaryMail(mail, deps.config.smtp.from, deps.date);
    let signError: string | null = null;
    if (deps.signingKey !== null) {
      const signed = await signMessage(raw, deps.signingKey, deps.date);
      raw = signed.raw;
      signError = signed.error;
    }
    const outcome = await deps.transport.send({ from: fromAddress(deps.config.smtp.from), to: mail.to }, raw);
    results.push({ to: mail.to, key, domains, outcome, signError, signed: deps.signingKey !== null && signError === null });
  }
  return results;
}
