/** The summary's output forms (`--format`), and the line printed per message of `--send`. */
import { extname } from 'node:path';
import type { Summary } from '../analyze/summary/types.js';
import { UsageError } from '../errors.js';
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

/** What `--out FILE` names by its extension; a name without one of these says nothing. */
const FORMAT_OF_EXTENSION: Readonly<Record<string, SummaryFormat>> = {
  '.txt': 'text',
  '.text': 'text',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.html': 'html',
  '.htm': 'html',
  '.json': 'json',
  '.csv': 'csv',
};

export interface SummaryOutputOptions {
  readonly json?: boolean | undefined;
  readonly format?: string | undefined;
  readonly out?: string | undefined;
  readonly send?: boolean | undefined;
}

/**
 * The format of what `summary` prints or writes, from `--format`, `--json` and the name of
 * `--out FILE` — or a usage error naming both options when they contradict each other or one has
 * no effect: `--json --format csv`; `--format text --out x.html`; `--send --format html` without
 * `--out` (the e-mail has its own text and HTML parts, and only the send results are printed).
 * Without `--format` and `--json`, `--out x.html` writes HTML: the file is what its name says.
 */
export function summaryOutputFormat(o: SummaryOutputOptions): SummaryFormat {
  const asked = o.json === true ? 'json' : o.format;
  if (o.json === true && o.format !== undefined && o.format !== 'json') {
    throw new UsageError(`summary: --json and --format ${o.format} contradict each other (--json is --format json); give one`);
  }
  if (asked !== undefined && !SUMMARY_FORMATS.includes(asked as SummaryFormat)) {
    throw new UsageError(`summary --format ${asked}: expected one of ${SUMMARY_FORMATS.join(', ')}`);
  }
  if (o.send === true && o.out === undefined && asked !== undefined) {
    throw new UsageError(`summary: ${o.json === true ? '--json' : `--format ${asked}`} has no effect with --send (the e-mail has its own text and HTML parts); add --out FILE to keep a copy in that format`);
  }
  const named = o.out === undefined ? undefined : FORMAT_OF_EXTENSION[extname(o.out).toLowerCase()];
  if (named !== undefined && asked !== undefined && named !== asked) {
    const flag = o.json === true ? '--json' : `--format ${asked}`;
    throw new UsageError(`summary: ${flag} and --out ${o.out ?? ''} contradict each other (the name says ${named}); rename the file or drop ${o.json === true ? '--json' : '--format'}`);
  }
  return (asked as SummaryFormat | undefined) ?? named ?? 'text';
}

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
