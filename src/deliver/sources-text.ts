/** `ruaflow sources` output, pure: the text for a person (fits 100 columns) and the stable
 * `--json` shape (docs/json-output.md "sources"). */
import { SOURCE_CLASSES, type SourceClass } from '../store/source-classes.js';
import type { Period } from '../report/period.js';
import type { DomainSources, SourceRow } from '../store/source-list.js';
import { day, num } from './format.js';
import { percent } from './overview-text.js';

export interface SourcesView {
  /** null: all time. */
  readonly period: Period | null;
  readonly domain: DomainSources;
  /** Display names (forward-confirmed PTR) by IP; falls back to the name stored with the class. */
  readonly names: ReadonlyMap<string, string | null>;
}

const WIDTH = 100;

/** The period's last second, as a date range states it (a Period's end is exclusive); all time: the reports' own end. */
const lastSecond = (view: SourcesView): number | null => (view.period === null ? view.domain.end : view.period.end - 1);

const nameOf = (view: SourcesView, s: SourceRow): string | null => (view.names.has(s.ip) ? (view.names.get(s.ip) ?? null) : s.name);

export function classTotals(sources: readonly SourceRow[]): Record<SourceClass, number> {
  const totals = Object.fromEntries(SOURCE_CLASSES.map((c) => [c, 0])) as Record<SourceClass, number>;
  for (const s of sources) totals[s.class] += s.messages;
  return totals;
}

/** The `--json` object of one domain. */
export function sourcesJson(view: SourcesView) {
  const d = view.domain;
  return {
    domain: d.domain,
    period: { label: view.period?.label ?? 'all', begin: view.period?.begin ?? d.begin, end: lastSecond(view) },
    messages: d.sources.reduce((sum, s) => sum + s.messages, 0),
    classes: classTotals(d.sources),
    sources: d.sources.map((s) => ({
      ip: s.ip,
      name: nameOf(view, s),
      class: s.class,
      cause: s.cause,
      service: s.service,
      reason: s.reason,
      messages: s.messages,
      dmarc_pass: s.dmarcPass,
      dmarc_fail: s.dmarcFail,
      reporters: s.reporters,
      first_seen: s.firstSeen,
      last_seen: s.lastSeen,
      fix: s.fix,
    })),
  };
}

const CLASS_WIDTH = Math.max(...SOURCE_CLASSES.map((c) => c.length));
/** messages (10), pass (6), class: the detail lines start under the source column. */
const INDENT = 10 + 2 + 6 + 2 + CLASS_WIDTH + 2;

export function renderSources(view: SourcesView): string {
  const d = view.domain;
  const begin = view.period?.begin ?? d.begin;
  const end = lastSecond(view);
  const range = begin === null || end === null ? '' : `: ${day(begin)} .. ${day(end)}`;
  // A named period says its name (last-week, 7d, all); a date range is already its own name.
  const label = /^\d{4}-/.test(view.period?.label ?? '') ? '' : ` (${view.period?.label ?? 'all'})`;
  const lines = [`${d.domain}${range}${label}`];
  if (d.sources.length === 0) {
    lines.push('  no records of this domain in the period', '');
    return lines.join('\n');
  }
  const total = d.sources.reduce((sum, s) => sum + s.messages, 0);
  const ips = new Set(d.sources.map((s) => s.ip)).size;
  lines.push(`  ${num(total)} messages from ${num(ips)} source${ips === 1 ? '' : 's'}`);
  const totals = classTotals(d.sources);
  const parts = SOURCE_CLASSES.filter((c) => totals[c] > 0).map((c) => `${c} ${num(totals[c])}`);
  lines.push(...wrap(parts.join(' · '), WIDTH - 2).map((l) => `  ${l}`), '');
  lines.push(`${'messages'.padStart(10)}  ${'pass'.padStart(6)}  ${'class'.padEnd(CLASS_WIDTH)}  source`);
  const pad = ' '.repeat(INDENT);
  for (const s of d.sources) {
    const name = nameOf(view, s);
    // A long IPv6 address and a long host name do not fit beside each other: the name goes below.
    const beside = name !== null && s.ip.length + 2 + name.length <= WIDTH - INDENT;
    const source = beside ? `${s.ip}  ${name}` : s.ip;
    lines.push(`${num(s.messages).padStart(10)}  ${percent(s.dmarcPass, s.messages).padStart(6)}  ${s.class.padEnd(CLASS_WIDTH)}  ${source}`);
    if (name !== null && !beside) lines.push(`${pad}${name}`);
    for (const l of wrap(`why: ${s.reason}`, WIDTH - INDENT)) lines.push(`${pad}${l}`);
    if (s.fix !== 'Nothing to do.') for (const l of wrap(`fix: ${s.fix}`, WIDTH - INDENT)) lines.push(`${pad}${l}`);
    const seen = s.firstSeen === s.lastSeen || day(s.firstSeen) === day(s.lastSeen) ? day(s.firstSeen) : `${day(s.firstSeen)} .. ${day(s.lastSeen)}`;
    lines.push(`${pad}${s.reporters} reporter${s.reporters === 1 ? '' : 's'}, ${seen}`);
  }
  lines.push('');
  return lines.join('\n');
}

/** Greedy word wrap; continuation lines are indented two spaces; a word longer than the width
 * stays whole on its own line. */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (candidate.length <= width || line === '') {
      line = candidate;
    } else {
      out.push(line);
      line = `  ${word}`;
    }
  }
  if (line !== '') out.push(line);
  return out;
}
