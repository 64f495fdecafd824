/** `--format csv`: one row per domain × source (RFC 4180: CRLF line ends, quoted when needed). */
import type { Summary } from '../analyze/summary/types.js';

const HEADER = [
  'period_begin', 'period_end', 'domain', 'ip', 'ptr', 'organisation', 'messages', 'dmarc_pass', 'dmarc_fail',
  'dkim_aligned_pass', 'spf_aligned_pass', 'none', 'quarantine', 'reject', 'new', 'class', 'fix',
] as const;

export function renderSummaryCsv(s: Summary): string {
  const rows: (string | number | boolean | null)[][] = [[...HEADER]];
  for (const d of s.domains) {
    for (const src of d.sources) {
      rows.push([
        s.period.begin, s.period.end - 1, d.domain, src.ip, src.ptr, src.organisation, src.messages, src.dmarcPass,
        src.messages - src.dmarcPass, src.dkimPass, src.spfPass, src.disposition.none, src.disposition.quarantine,
        src.disposition.reject, src.isNew, src.correlation?.class ?? null, src.correlation?.fix || null,
      ]);
    }
  }
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

function cell(v: string | number | boolean | null): string {
  if (v === null) return '';
  const text = String(v);
  // A leading = + - @ would be read as a formula by spreadsheets; a PTR name or fix never starts
  // so legitimately, but reporter-controlled text might.
  const safe = /^[=+\-@]/.test(text) && typeof v === 'string' ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
