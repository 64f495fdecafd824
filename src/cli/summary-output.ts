/** The summary's output forms (`--format`), and the line printed per message of `--send`. */
import type { Summary } from '../analyze/summary/types.js';
import { renderSummaryCsv } from '../deliver/summary-csv.js';
import { renderSummaryHtml } from '../deliver/summary-html.js';
import { renderSummaryJson } from '../deliver/summary-json.js';
import { renderSummaryMarkdown } from '../deliver/summary-markdown.js';
import { renderSummaryText } from '../deliver/summary-text.js';
import type { SummarySendResult } from '../jobs/send-summary.js';

export const SUMMARY_FORMATS = ['text', 'markdown', 'html', 'json', 'csv'] as const;
export type SummaryFormat = (typeof SUMMARY_FORMATS)[number];

export const SUMMARY_RENDERERS: Readonly<Record<SummaryFormat, (s: Summary) => string>> = {
  text: renderSummaryText,
  markdown: renderSummaryMarkdown,
  html: renderSummaryHtml,
  json: renderSummaryJson,
  csv: renderSummaryCsv,
};

export function describeSummarySent(r: SummarySendResult): string {
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
