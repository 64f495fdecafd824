/** `--format markdown`: the summary as GitHub-flavoured Markdown (tables), e.g. for a wiki or an issue. Pure. */
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
  toFix,
  volumeChange,
} from './summary-facts.js';

const TOP = 15;

export function renderSummaryMarkdown(s: Summary): string {
  const compared = comparisonNote(s);
  const out = [`# DMARC summary ${periodText(s)}`, '', ...(compared === null ? [] : [`_${compared}_`, ''])];
  if (s.domains.length === 0) out.push('No domains: no reports stored and none configured.', '');
  else if (isEmpty(s)) out.push(esc(emptyText(s)), '');
  for (const d of s.domains) out.push(...domainMarkdown(d));
  return `${out.join('\n').trimEnd()}\n`;
}

const esc = (t: string): string => t.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`);

function domainMarkdown(d: DomainSummary): string[] {
  const lines = [`## ${esc(d.domain)}`, ''];
  const change = passChange(d);
  const volume = volumeChange(d);
  lines.push(
    '| | |',
    '|---|---:|',
    `| messages | ${num(d.messages)}${volume === null ? '' : ` (${volume})`} |`,
    `| DMARC pass | ${percent(d.dmarcPass, d.messages)}${change === null ? '' : ` (${change})`} |`,
    `| aligned DKIM | ${percent(d.dkimPass, d.messages)} |`,
    `| aligned SPF | ${percent(d.spfPass, d.messages)} |`,
    `| disposition none / quarantine / reject | ${num(d.disposition.none)} / ${num(d.disposition.quarantine)} / ${num(d.disposition.reject)} |`,
    '',
  );
  if (d.published !== null) {
    const from = d.published.source === 'dns' ? publishedWhere(d, d.published) : 'published (from reports)';
    const applies = appliesNote(d, d.published);
    lines.push(`- policy ${esc(from)}: \`${policyText(d.published)}\`${applies === null ? '' : `; ${esc(applies)}`}`);
  }
  for (const p of d.seen) {
    const note = d.published?.source === 'dns' && differs(p, d.published) ? ' (differs from what we publish)' : '';
    lines.push(`- reporters saw \`${policyText(p)}\` in ${num(p.reports)} report${p.reports === 1 ? '' : 's'}${note}`);
  }
  lines.push(`- readiness: ${esc(readinessText(d))}`, '');
  const fixes = toFix(d);
  if (fixes.length > 0) {
    lines.push('### What to fix', '', '| source | organisation | failing DMARC | class | fix |', '|---|---|---:|---|---|');
    for (const s of fixes.slice(0, TOP)) {
      lines.push(`| ${esc(s.ip)}${s.ptr === null ? '' : `<br>${esc(s.ptr)}`} | ${esc(s.organisation ?? '')} | ${num(failing(s))} of ${num(s.messages)} | ${esc(s.correlation?.class ?? 'unknown')} | ${esc(s.correlation?.fix ?? '')} |`);
    }
    if (fixes.length > TOP) lines.push('', `… and ${fixes.length - TOP} more`);
    lines.push('');
  }
  if (d.organisations.length > 0) {
    lines.push('### Sources by organisation', '', '| organisation | messages | DMARC pass | IPs |', '|---|---:|---:|---:|');
    for (const o of d.organisations.slice(0, TOP)) lines.push(`| ${esc(o.name)} | ${num(o.messages)} | ${percent(o.dmarcPass, o.messages)} | ${o.sources} |`);
    lines.push('');
  }
  const fresh = newSources(d);
  if (fresh.length > 0) {
    lines.push('### New sources', '');
    for (const s of fresh.slice(0, TOP)) lines.push(`- ${esc(s.ip)}${s.ptr === null ? '' : ` (${esc(s.ptr)})`}: ${num(s.messages)} messages, ${percent(s.dmarcPass, s.messages)} pass`);
    lines.push('');
  }
  lines.push(`Reporters: ${d.reporters.length === 0 ? 'none' : d.reporters.map((r) => `${esc(r.name)} (${r.reports})`).join(', ')}`);
  if (d.silentReporters.length > 0) lines.push('', `Silent: ${d.silentReporters.map((r) => `${esc(r.name)} (${r.periodsSeen} of the previous ${r.periodsLookedAt} periods)`).join(', ')}`);
  lines.push('');
  return lines;
}
