/** `ruaflow check` output: text (one line per check, the fix indented below) and the stable
 * `--json` shape (docs/json-output.md "check"; docs/sources-and-check.md "Checking our own setup"). Pure. */
import { hasFailure, type DomainChecks } from '../analyze/check/types.js';

export function renderChecks(domains: readonly DomainChecks[]): string {
  const lines: string[] = [];
  for (const d of domains) {
    lines.push(d.domain);
    const width = Math.max(...d.checks.map((c) => c.check.length));
    for (const c of d.checks) {
      lines.push(`  ${c.status.toUpperCase()}  ${c.check.padEnd(width)}  ${c.detail}`);
      if (c.fix !== null && c.status !== 'pass') for (const line of c.fix.split('\n')) lines.push(`        ${line}`);
    }
    const count = (s: string) => d.checks.filter((c) => c.status === s).length;
    lines.push(`  ${count('pass')} pass, ${count('warn')} warn, ${count('fail')} fail`, '');
  }
  return `${lines.join('\n')}\n`;
}

export function checksJson(domains: readonly DomainChecks[]) {
  return {
    domains: domains.map((d) => ({ domain: d.domain, checks: d.checks.map((c) => ({ check: c.check, status: c.status, detail: c.detail, fix: c.fix })) })),
    ok: !domains.some((d) => hasFailure(d.checks)),
  };
}
