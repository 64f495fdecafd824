/** What `ruaflow ingest` (and `run`) print: the stable `--json` shape, and the line of text. */
import type { IngestTotals } from '../jobs/ingest-paths.js';

/** The stable `--json` shape (docs/json-output.md "ingest"). */
export function totalsJson(t: IngestTotals) {
  return {
    new: t.new,
    duplicate: t.duplicate,
    invalid: t.invalid,
    not_aggregate: t.notAggregate,
    inputs: t.inputs,
    invalid_inputs: t.invalidInputs.map((r) => ({ path: r.path, reason: r.reason })),
  };
}

export function renderTotals(t: IngestTotals): string {
  const parts = [
    `${t.new} new report${t.new === 1 ? '' : 's'}`,
    `${t.duplicate} duplicate${t.duplicate === 1 ? '' : 's'}`,
    `${t.invalid} invalid`,
    `${t.notAggregate} not aggregate report${t.notAggregate === 1 ? '' : 's'}`,
  ];
  return `${t.inputs} input${t.inputs === 1 ? '' : 's'}: ${parts.join(', ')}\n`;
}
