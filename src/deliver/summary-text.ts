/** The plain-text summary (terminal, and the text part of the weekly e-mail). Pure. */
import type { DomainSummary, Summary } from '../analyze/summary/types.js';
import {
  appliesNote,
  comparisonNote,
  differs,
  emptyText,
  failing,
  isEmpty,
  newSources,
  num,
  passChange,
  percent,
  periodText,
  policyText,
  publishedWhere,
  readinessText,
  sourceLabel,
  toFix,
  volumeChange,
} from './summary-facts.js';

/** Lines of a list shown before "… and N more". */
const TOP = 10;

export function renderSummaryText(s: Summary): string {
  const compared = comparisonNote(s);
  const out = [`DMARC summary ${periodText(s)}`, ...(compared === null ? [] : [`(${compared})`]), ''];
  if (s.domains.length === 0) out.push('No domains: no reports stored and none configured.', '');
  else if (isEmpty(s)) out.push(emptyText(s), '');
  for (const d of s.domains) out.push(...domainText(d), '');
  return `${out.join('\n').trimEnd()}\n`;
}

function domainText(d: DomainSummary): string[] {
  const lines = [d.domain];
  if (d.messages === 0) {
    lines.push('  no messages reported');
  } else {
    const volume = volumeChange(d);
    const change = passChange(d);
    lines.push(
      `  messages ${num(d.messages)}${volume === null ? '' : ` (${volume} on the previous period)`}`,
      `  DMARC pass ${percent(d.dmarcPass, d.messages)}${change === null ? '' : ` (${change} points)`}, failing ${num(d.messages - d.dmarcPass)}`,
      `  aligned DKIM ${percent(d.dkimPass, d.messages)}, aligned SPF ${percent(d.spfPass, d.messages)}`,
      `  disposition: none ${num(d.disposition.none)}, quarantine ${num(d.disposition.quarantine)}, reject ${num(d.disposition.reject)}`,
    );
  }
  if (d.published !== null) {
    const from = d.published.source === 'dns' ? publishedWhere(d, d.published) : 'published (as reporters saw it)';
    const applies = appliesNote(d, d.published);
    lines.push(`  policy ${from}: ${policyText(d.published)}${applies === null ? '' : `; ${applies}`}`);
  }
  for (const p of d.seen) {
    const note = d.published?.source === 'dns' && differs(p, d.published) ? ', differs from what we publish' : '';
    lines.push(`  reporters saw: ${policyText(p)} (${num(p.reports)} report${p.reports === 1 ? '' : 's'}${note})`);
  }
  lines.push(`  readiness: ${readinessText(d)}`);

  const fixes = toFix(d);
  if (fixes.length > 0) {
    lines.push('', '  what to fix:');
    for (const s of fixes.slice(0, TOP)) {
      const who = s.organisation !== null ? ` [${s.organisation}]` : '';
      lines.push(`    ${sourceLabel(s)}${who}: ${num(failing(s))} of ${num(s.messages)} failing DMARC, class ${s.correlation?.class ?? 'unknown'}`);
      if (s.correlation !== null && s.correlation.fix !== '') lines.push(`      fix: ${s.correlation.fix}`);
    }
    if (fixes.length > TOP) lines.push(`    … and ${fixes.length - TOP} more`);
  }
  if (d.organisations.length > 0) {
    lines.push('', '  sources by organisation:');
    lines.push(...table(d.organisations.slice(0, TOP).map((o) => [o.name, `${num(o.messages)} msgs`, `${percent(o.dmarcPass, o.messages)} pass`, `${o.sources} IP${o.sources === 1 ? '' : 's'}`])));
    if (d.organisations.length > TOP) lines.push(`    … and ${d.organisations.length - TOP} more`);
  }
  const fresh = newSources(d);
  if (fresh.length > 0) {
    lines.push('', '  new sources since the previous period:');
    for (const s of fresh.slice(0, TOP)) lines.push(`    ${sourceLabel(s)}: ${num(s.messages)} msgs, ${percent(s.dmarcPass, s.messages)} pass`);
    if (fresh.length > TOP) lines.push(`    … and ${fresh.length - TOP} more`);
  }
  lines.push('', `  reporters: ${d.reporters.length === 0 ? 'none' : d.reporters.map((r) => `${r.name} (${r.reports})`).join(', ')}`);
  if (d.silentReporters.length > 0) {
    lines.push(`  silent: ${d.silentReporters.map((r) => `${r.name} (reported in ${r.periodsSeen} of the previous ${r.periodsLookedAt} periods)`).join(', ')}`);
  }
  return lines;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => `    ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')}`);
}
