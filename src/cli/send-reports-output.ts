/** What `ruaflow send-reports` prints: the stable `--json` shape, and the text. */
import type { SendReportsResult } from '../jobs/send-reports-pass.js';

/** The stable `--json` shape (docs/json-output.md "send-reports"). */
export function sendReportsJson(r: SendReportsResult) {
  const d = r.deliveries;
  return {
    period: r.period.label,
    begin: r.period.begin,
    end: r.period.end - 1,
    dry_run: r.dryRun,
    out: r.outDir,
    evaluations: r.build.evaluations,
    built: r.build.built.length,
    already_built: r.build.alreadyBuilt,
    no_rua: r.build.noRua,
    skipped: r.build.skipped.map((s) => ({ policy_domain: s.policyDomain, reason: s.reason })),
    ignored_uris: r.build.ignoredUris.map((i) => ({ policy_domain: i.policyDomain, uri: i.uri, reason: i.reason })),
    reports: r.build.built.map((b) => ({
      policy_domain: b.policyDomain,
      report_id: b.reportId,
      filename: b.filename,
      records: b.records,
      messages: b.messages,
      destinations: b.destinations,
      // Dry run only (null in a real run): what the real send would refuse, and what it could
      // not check now (a DNS temperror: the real send would defer and retry).
      refused: r.destinations === null ? null : (r.destinations.get(b.filename)?.refused ?? []).map((x) => ({ address: x.address, reason: x.reason })),
      unverified: r.destinations === null ? null : (r.destinations.get(b.filename)?.unverified ?? []).map((x) => ({ address: x.address, reason: x.reason })),
    })),
    deliveries:
      d === null
        ? null
        : {
            sent: d.sent,
            deferred: d.deferred,
            rejected: d.rejected,
            suppressed: d.suppressed,
            unauthorized: d.unauthorized,
            too_big: d.tooBig,
            expired: d.expired,
            left_for_next_run: d.leftForNextRun,
          },
    relay_unreachable: d?.relayUnreachable ?? null,
  };
}

export function renderSendReports(r: SendReportsResult): string {
  const b = r.build;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const lines = [
    `${r.period.label}: ${plural(b.evaluations, 'evaluation')}; ${plural(b.built.length, 'report')} built${r.dryRun ? ` into ${r.outDir ?? ''}` : ''}, ` +
      `${b.skipped.length} skipped, ${b.alreadyBuilt} built before, ${b.noRua} without rua`,
  ];
  for (const s of b.skipped) lines.push(`  skipped ${s.policyDomain}: ${s.reason}`);
  for (const i of b.ignoredUris) lines.push(`  ignored ${i.uri} (${i.policyDomain}): ${i.reason}`);
  if (r.destinations !== null) {
    // Dry run: where each report would go, and which destinations the real send would refuse.
    for (const report of b.built) {
      const notes = r.destinations.get(report.filename);
      for (const address of report.destinations) {
        const refused = notes?.refused.find((x) => x.address === address);
        const unverified = notes?.unverified.find((x) => x.address === address);
        const mark = refused !== undefined ? `: REFUSED, ${refused.reason}` : unverified !== undefined ? `: not checked now (${unverified.reason}); the real send would retry` : '';
        lines.push(`  ${report.policyDomain} → ${address}${mark}`);
      }
    }
  }
  const d = r.deliveries;
  if (d !== null) {
    lines.push(
      `deliveries: ${d.sent} sent, ${d.deferred} deferred, ${d.rejected} rejected, ${d.suppressed} suppressed, ` +
        `${d.unauthorized} not authorised, ${d.tooBig} too big, ${d.expired} given up; ${d.leftForNextRun} left for the next run`,
    );
  }
  return `${lines.join('\n')}\n`;
}
