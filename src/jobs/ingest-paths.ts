/**
 * `ruaflow ingest PATH…` and `ruaflow run`: walk files and folders, ingest every input, count.
 */
import { DatabaseError, IoError, LimitExceededError, RuaflowError } from '../errors.js';
import type { Logger } from '../ports/logger.js';
import { walkInputs } from '../sources/files.js';
import { isInputProblem } from '../sources/input.js';
import { ingestInput, ingestSource, type IngestStores, type InputOutcomeSummary, type Rejection } from './ingest-input.js';

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
    const description = { source: item.container === undefined ? 'file' : 'mbox', key: item.key, label: item.label } as const;
    let result: InputOutcomeSummary;
    try {
      if (item.stream !== undefined) {
        // A large file, read from disk as it is hashed and parsed: a read error can come at any
        // point, and its unit of work is then rolled back.
        group.enter();
        try {
          result = await ingestSource(description, item.stream(), item.size, stores);
        } finally {
          group.leave();
        }
      } else {
        const read = await item.read();
        group.enter();
        result = await ingestInput(description, read, stores);
        group.leave();
      }
    } catch (error) {
      // The file went away, cannot be read, or grew past the cap since the walk saw it.
      if (!(error instanceof RuaflowError) || error instanceof DatabaseError || !readFailure(error)) throw error;
      invalid({ path: item.label, reason: error.message });
      tick();
      continue;
    }
    totals.new += result.reportsNew;
    totals.duplicate += result.reportsDuplicate;
    if (result.outcome === 'not_aggregate') totals.notAggregate++;
    for (const r of result.rejections) invalid(r);
    tick();
  }
  return totals;
}

/** Errors of reading an input file (as opposed to faults of the run): the input is then invalid. */
function readFailure(error: RuaflowError): boolean {
  return error instanceof IoError || error instanceof LimitExceededError;
}
