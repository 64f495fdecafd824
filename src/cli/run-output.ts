/** What `ruaflow run --json` prints per domain: the stable shape (docs/json-output.md "run"),
 * snake_case like every other JSON output. */
import type { DomainOverview } from '../store/report-list.js';

export function overviewJson(d: DomainOverview) {
  return {
    domain: d.domain,
    reports: d.reports,
    reporters: d.reporters,
    begin: d.begin,
    end: d.end,
    messages: d.messages,
    dmarc_pass: d.dmarcPass,
    top_sources: d.topSources.map((s) => ({ ip: s.ip, messages: s.messages, dmarc_pass: s.dmarcPass })),
  };
}
