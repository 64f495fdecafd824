/**
 * `ruaflow ingest PATH…` and `ruaflow run`: walk files and folders, ingest every input, count.
 */
import type { Limits } from '../extract/limits.js';
import type { Logger } from '../ports/logger.js';
import { walkInputs } from '../sources/files.js';
import { ingestInput, type IngestStores, type Rejection } from './ingest-input.js';

export interface IngestTotals {
  /** Reports stored for the first time. */
  new: number;
  /** Reports already stored (same identity, or the same input bytes seen before). */
  duplicate: number;
  /** Reports or inputs rejected; one entry each in `invalidInputs`. */
  invalid: number;
  /** Inputs that are not aggregate reports (failure reports, TLS-RPT, other mail, text files). */
  notAggregate: number;
  /** Inputs read (files, mbox messages). */
  inputs: number;
  invalidInputs: Rejection[];
}

export interface IngestProgress {
  tick(): void;
}

export async function ingestPaths(
  paths: readonly string[],
  stores: IngestStores,
  log: Logger,
  progress: IngestProgress = { tick() {} },
): Promise<IngestTotals> {
  const totals: IngestTotals = { new: 0, duplicate: 0, invalid: 0, notAggregate: 0, inputs: 0, invalidInputs: [] };
  for await (const item of walkInputs(paths, stores.limits as Limits)) {
    totals.inputs++;
    if ('kind' in item && item.kind === 'problem') {
      totals.invalid++;
      totals.invalidInputs.push({ path: item.label, reason: item.reason });
      log.warn('invalid', { input: item.label, reason: item.reason });
      progress.tick();
      continue;
    }
    const input = item as Exclude<typeof item, { kind: 'problem' }>;
    const bytes = await input.read();
    const result = await ingestInput(
      { source: input.key.includes('#') ? 'mbox' : 'file', key: input.key, label: input.label },
      bytes,
      stores,
    );
    totals.new += result.reportsNew;
    totals.duplicate += result.reportsDuplicate;
    if (result.outcome === 'not_aggregate') totals.notAggregate++;
    for (const r of result.rejections) {
      totals.invalid++;
      totals.invalidInputs.push(r);
      log.warn('invalid', { input: r.path, reason: r.reason });
    }
    progress.tick();
  }
  return totals;
}
