/** The short per-domain summary `ruaflow run` prints: pure, data in, text out. */
import type { DomainOverview } from '../store/report-list.js';
import { day, num } from './format.js';

export const percent = (part: number, whole: number): string => (whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`);

export function renderOverview(domains: readonly DomainOverview[]): string {
  if (domains.length === 0) return 'No reports stored yet.\n';
  const lines: string[] = [];
  for (const d of domains) {
    lines.push(
      `${d.domain}: ${num(d.reports)} report${d.reports === 1 ? '' : 's'} from ${num(d.reporters)} reporter${d.reporters === 1 ? '' : 's'}, ${day(d.begin)} .. ${day(d.end)}`,
    );
    lines.push(`  messages ${num(d.messages)}, DMARC pass ${percent(d.dmarcPass, d.messages)} (${num(d.messages - d.dmarcPass)} failing)`);
    if (d.topSources.length > 0) {
      lines.push('  top sources:');
      const width = Math.max(...d.topSources.map((s) => s.ip.length));
      const countWidth = Math.max(...d.topSources.map((s) => num(s.messages).length));
      for (const s of d.topSources) {
        lines.push(`    ${s.ip.padEnd(width)}  ${num(s.messages).padStart(countWidth)} messages  ${percent(s.dmarcPass, s.messages).padStart(6)} pass`);
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}
