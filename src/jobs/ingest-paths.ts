/**
 * `ruaflow ingest PATH…` and `ruaflow run`: walk files and folders, ingest every input, count.
 */
import { DatabaseError, RuaflowError } from '../errors.js';
import type { Logger } from '../ports/logger.js';
import { walkInputs } from '../sources/files.js';
import { isInputProblem } from '../sources/input.js';
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
  /** Make room for a log line. */
  clear(): void;
}

/** Commits many inputs at once (store/commit-group.ts). */
export interface InputGroup {
  enter(): void;
  leave(): void;
  commit(): void;
  abandon(): void;
}

export async function ingestPaths(
  paths: readonly string[],
  stores: IngestStores,
  group: InputGroup,
  log: Logger,
  progress: IngestProgress = { tick() {}, clear() {} },
): Promise<IngestTotals> {
  try {
    const totals = await ingestAll(paths, stores, group, log, progress);
    group.commit();
    return totals;
  } finally {
    group.abandon();
  }
}

async function ingestAll(
  paths: readonly string[],
  stores: IngestStores,
  group: InputGroup,
  log: Logger,
  progress: IngestProgress,
): Promise<IngestTotals> {
  const totals: IngestTotals = { new: 0, duplicate: 0, invalid: 0, notAggregate: 0, inputs: 0, invalidInputs: [] };
  const invalid = (r: Rejection): void => {
    totals.invalid++;
    totals.invalidInputs.push(r);
    progress.clear();
    log.warn('invalid', { input: r.path, reason: r.reason });
  };
  for await (const item of walkInputs(paths, stores.limits)) {
    totals.inputs++;
    // countInputs counts an mbox file once: tick on its first message only.
    const tick = (): void => {
      if (item.container === undefined || item.container.index === 1) progress.tick();
    };
    if (isInputProblem(item)) {
      invalid({ path: item.label, reason: item.reason });
      tick();
      continue;
    }
    let read: Uint8Array;
    try {
      read = await item.read();
    } catch (error) {
      // The file went away or grew past the cap since the walk saw it.
      if (!(error instanceof RuaflowError) || error instanceof DatabaseError) throw error;
      invalid({ path: item.label, reason: error.message });
      tick();
      continue;
    }
    group.enter();
    const result = await ingestInput(
      { source: item.container === undefined ? 'file' : 'mbox', key: item.key, label: item.label },
      read,
      stores,
    );
    group.leave();
    totals.new += result.reportsNew;
    totals.duplicate += result.reportsDuplicate;
    if (result.outcome === 'not_aggregate') totals.notAggregate++;
    for (const r of result.rejections) invalid(r);
    tick();
  }
  return totals;
}

