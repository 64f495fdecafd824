/**
 * The weekly e-mail: who gets which part of the summary, and the message itself (multipart
 * text + HTML, RFC 2046 §5.1.4 multipart/alternative, `Auto-Submitted: auto-generated` per
 * RFC 3834 §5 so that auto-responders stay quiet).
 *
 * Recipients: `[summary] to` gets every domain; a domain's `summary_to` gets that domain. A
 * recipient listed for several domains gets one message with all of them; recipients who get
 * the same domains share one message.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../types/config.js';
import type { Summary } from '../analyze/summary/types.js';
import { composeMessage } from '../mail/compose.js';
import { fromDomain } from '../mail/from-address.js';
import { isEmpty, subjectOf } from './summary-facts.js';
import { renderSummaryHtml } from './summary-html.js';
import { renderSummaryText } from './summary-text.js';

export interface SummaryMail {
  readonly to: readonly string[];
  /** The summary restricted to the domains these recipients get. */
  readonly summary: Summary;
}

export function planSummaryMails(summary: Summary, config: Pick<Config, 'summary' | 'domains'>): SummaryMail[] {
  const all = summary.domains.map((d) => d.domain);
  const wants = new Map<string, Set<string>>();
  const add = (address: string, domains: readonly string[]): void => {
    const key = address.toLowerCase();
    const set = wants.get(key) ?? new Set<string>();
    for (const d of domains) set.add(d);
    wants.set(key, set);
  };
  for (const address of config.summary.to) add(address, all);
  for (const d of config.domains) if (all.includes(d.name)) for (const address of d.summaryTo) add(address, [d.name]);

  const groups = new Map<string, string[]>();
  for (const [address, domains] of wants) {
    const key = all.filter((d) => domains.has(d)).join(' ');
    groups.set(key, [...(groups.get(key) ?? []), address]);
  }
  return [...groups].map(([key, to]) => {
    const domains = key.split(' ');
    return { to, summary: { ...summary, domains: summary.domains.filter((d) => domains.includes(d.domain)) } };
  });
}

/** Whether a mail is worth sending: something was reported, or the user asked for heartbeats. */
export const shouldSend = (mail: SummaryMail, sendEmpty: boolean): boolean => sendEmpty || !isEmpty(mail.summary);

export function composeSummaryMail(mail: SummaryMail, from: string, date: Date): Promise<Buffer> {
  const id = createHash('sha256')
    .update(`${mail.summary.period.begin}:${mail.summary.period.end}:${mail.to.join(',')}:${date.getTime()}`)
    .digest('hex')
    .slice(0, 24);
  return composeMessage({
    from,
    to: mail.to,
    subject: subjectOf(mail.summary),
    text: renderSummaryText(mail.summary),
    html: renderSummaryHtml(mail.summary),
    headers: { 'Auto-Submitted': 'auto-generated' },
    date,
    messageId: `summary.${id}@${fromDomain(from)}`,
  });
}
