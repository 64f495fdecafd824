/** Run the streaming parser over a string or bytes and collect everything it says. */
import { DEFAULT_LIMITS, type Limits } from '../../src/limits.js';
import { parseAggregate, type ParseOutcome } from '../../src/report/aggregate/parse.js';
import type { AggregateRecord, ReportHeader } from '../../src/report/aggregate/types.js';

export interface Collected {
  readonly headerEvent: ReportHeader | undefined;
  readonly records: AggregateRecord[];
  readonly outcome: ParseOutcome;
  /** Index (in records) at which the header event came. */
  readonly headerAt: number;
}

export function chunked(input: string | Uint8Array, size = 7): Uint8Array[] {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

export function collect(input: string | Uint8Array, limits: Limits = DEFAULT_LIMITS, chunkSize = 7): Collected {
  const events = parseAggregate(chunked(input, chunkSize), limits);
  const records: AggregateRecord[] = [];
  let headerEvent: ReportHeader | undefined;
  let headerAt = -1;
  for (;;) {
    const step = events.next();
    if (step.done === true) return { headerEvent, records, outcome: step.value, headerAt };
    if (step.value.kind === 'header') {
      headerEvent = step.value.header;
      headerAt = records.length;
    } else {
      records.push(step.value.record);
    }
  }
}

/** A minimal RFC 7489 report with the given records (XML snippets) and overrides. */
export function report(parts: { records?: string[]; metadata?: string; policy?: string; root?: string; rootEnd?: string; prolog?: string } = {}): string {
  const record =
    '<record><row><source_ip>192.0.2.1</source_ip><count>3</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>' +
    '<identifiers><header_from>example.com</header_from></identifiers><auth_results><dkim><domain>example.com</domain><selector>s1</selector><result>pass</result></dkim>' +
    '<spf><domain>bounce.example.com</domain><scope>mfrom</scope><result>softfail</result></spf></auth_results></record>';
  return [
    parts.prolog ?? '<?xml version="1.0" encoding="UTF-8"?>',
    parts.root ?? '<feedback>',
    '<version>1.0</version>',
    parts.metadata ??
      '<report_metadata><org_name>Reporter</org_name><email>dmarc@reporter.example</email><report_id>r-1</report_id><date_range><begin>1763337600</begin><end>1763423999</end></date_range></report_metadata>',
    parts.policy ?? '<policy_published><domain>example.com</domain><adkim>r</adkim><aspf>r</aspf><p>reject</p><sp>quarantine</sp><pct>100</pct></policy_published>',
    ...(parts.records ?? [record]),
    parts.rootEnd ?? '</feedback>',
  ].join('\n');
}
