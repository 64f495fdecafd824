/**
 * One input (a file's bytes, an mbox message, a mailbox message) → reports in the store.
 * Shared by `ruaflow ingest` and the IMAP poller: the caller reads the bytes, extract decides what
 * they are (src/extract/input.ts), this pipes every document found to the parser, stores every
 * report exactly once and records the input in the ledger.
 *
 * Bad input never throws out of here: it becomes an outcome with a reason (bad input never stops
 * a batch). Only faults of the run itself (the database) propagate.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import type { Limits } from '../limits.js';
import { extractInputSource, type ExtractedInput } from '../extract/input.js';
import { wholeSource, type ByteSource } from '../extract/source.js';
import type { XmlDocument } from '../extract/payload.js';
import { parseAggregate } from '../report/aggregate/parse.js';
import type { Clock } from '../ports/clock.js';
import type { InputLedger, InputOutcome } from '../store/inputs.js';
import type { ReportStore } from '../store/reports.js';

export interface IngestStores {
  readonly reports: ReportStore;
  readonly ledger: InputLedger;
  readonly limits: Limits;
  readonly clock: Clock;
}

export interface InputDescription {
  readonly source: 'file' | 'mbox' | 'imap';
  readonly key: string;
  /** What a user recognises: a path, `box.mbox message 3`, `INBOX uid 42`. */
  readonly label: string;
}

export interface Rejection {
  /** The input's label, with the attachment / member when the input holds several. */
  readonly path: string;
  readonly reason: string;
}

export interface InputOutcomeSummary {
  readonly outcome: InputOutcome;
  readonly reason: string | null;
  readonly reportsNew: number;
  readonly reportsDuplicate: number;
  readonly rejections: readonly Rejection[];
  readonly messageId: string | null;
  /** True when these exact bytes had been processed before and were not read again. */
  readonly seenBefore: boolean;
}

export async function ingestInput(input: InputDescription, bytes: Uint8Array, stores: IngestStores): Promise<InputOutcomeSummary> {
  return ingestSource(input, wholeSource(bytes), bytes.length, stores);
}

/**
 * ingestInput for an input read as a stream of pieces (a large file from disk): it is read twice,
 * once for the SHA-256 the ledger knows inputs by, and then, unless those bytes were seen before,
 * to parse and store it — never held whole. Errors reading it (IoError) are thrown; what was
 * stored of it is then rolled back.
 */
export async function ingestSource(input: InputDescription, source: ByteSource, size: number, stores: IngestStores): Promise<InputOutcomeSummary> {
  const sha256 = hashSource(source);
  const now = stores.clock.now();

  // The same bytes already processed (from any path or mailbox): every report in them is a
  // duplicate, and nothing needs parsing again.
  const prior = stores.ledger.findProcessed(sha256);
  if (prior !== undefined) {
    const duplicates = prior.reportsNew + prior.reportsDuplicate;
    const outcome: InputOutcome = prior.outcome === 'not_aggregate' ? 'not_aggregate' : 'duplicate';
    stores.ledger.record(
      { ...ledgerBase(input, sha256, size), outcome, reason: prior.reason, reportsNew: 0, reportsDuplicate: duplicates, reportsInvalid: 0 },
      now,
    );
    return { outcome, reason: prior.reason, reportsNew: 0, reportsDuplicate: duplicates, rejections: [], messageId: null, seenBefore: true };
  }

  const found = await extractInputSource(source, input.label, stores.limits);
  // Everything after the (asynchronous) MIME parse is synchronous and commits once: the
  // input's reports, its ledger row and their links together.
  return stores.reports.unitOfWork(() => storeInput(input, size, sha256, found, stores, now));
}

function hashSource(source: ByteSource): string {
  const hash = createHash('sha256');
  if (source.whole !== null) return hash.update(source.whole).digest('hex');
  const iterator = source.open();
  try {
    for (let step = iterator.next(); step.done !== true; step = iterator.next()) hash.update(step.value);
  } finally {
    iterator.return?.();
  }
  return hash.digest('hex');
}

function storeInput(input: InputDescription, size: number, sha256: string, found: ExtractedInput, stores: IngestStores, now: number): InputOutcomeSummary {
  const rejections: Rejection[] = [];
  const stored: number[] = [];
  let duplicates = 0;
  if (found.kind === 'invalid') rejections.push({ path: input.label, reason: found.error.message });
  if (found.kind === 'aggregate') {
    for (const item of found.documents) {
      if (item.kind === 'unreadable') {
        rejections.push({ path: input.label, reason: naming(item.payload, item.error.message) });
        continue;
      }
      const doc = item.document;
      try {
        const result = storeDocument(doc, stores, now);
        if (result.kind === 'new') stored.push(result.rowId);
        else duplicates++;
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        rejections.push({ path: input.label, reason: naming(doc.name, error.message) });
      }
    }
  }
  const notAggregate = found.kind === 'not-aggregate' ? found.reason : null;
  const outcome: InputOutcome =
    rejections.length > 0 ? 'invalid' : notAggregate !== null ? 'not_aggregate' : stored.length > 0 ? 'stored' : 'duplicate';
  const reason = rejections.length > 0 ? rejections.map((r) => r.reason).join('; ') : notAggregate;
  const meta = found.kind === 'invalid' ? null : found.meta;
  const messageId = meta?.messageId ?? null;
  const inputId = stores.ledger.record(
    {
      ...ledgerBase(input, sha256, size),
      messageId,
      subject: meta?.subject ?? null,
      outcome,
      reason,
      reportsNew: stored.length,
      reportsDuplicate: duplicates,
      reportsInvalid: rejections.length,
    },
    now,
  );
  stores.reports.linkInput(stored, inputId);
  return { outcome, reason, reportsNew: stored.length, reportsDuplicate: duplicates, rejections, messageId, seenBefore: false };
}

/** A reason that says which attachment or member it is about, without saying it twice. */
function naming(name: string, message: string): string {
  return message.includes(name) ? message : `${name}: ${message}`;
}

function ledgerBase(input: InputDescription, sha256: string, size: number) {
  return { source: input.source, sourceKey: input.key, sha256, size, messageId: null, subject: null } as const;
}

type DocumentResult = { kind: 'new'; rowId: number } | { kind: 'duplicate' };

/** Parse one XML document and write it in one transaction; throws InputError when rejected. */
function storeDocument(doc: XmlDocument, stores: IngestStores, now: number): DocumentResult {
  const hash = createHash('sha256');
  const source = doc.chunks[Symbol.iterator]();
  // Hash every byte as the parser pulls it: the stored report keeps the hash of its XML.
  const hashed: Iterable<Uint8Array> = {
    [Symbol.iterator]: () => ({
      next: () => {
        const step = source.next();
        if (step.done !== true) hash.update(step.value);
        return step;
      },
      // The parser stops early at a duplicate: the source (a file from disk) is released then.
      return: () => {
        source.return?.();
        return { done: true, value: undefined };
      },
    }),
  };
  const write = stores.reports.begin();
  try {
    const events = parseAggregate(hashed, stores.limits);
    for (;;) {
      const step = events.next();
      if (step.done === true) {
        const rowId = write.commit({ ...step.value, contentSha256: hash.digest('hex') });
        return { kind: 'new', rowId };
      }
      const event = step.value;
      if (event.kind === 'record') {
        write.record(event.record);
        continue;
      }
      const seen = write.header(event.header, { inputId: null, payloadName: doc.name, now });
      if (seen.kind === 'duplicate') {
        write.rollback();
        events.return(undefined as never);
        return { kind: 'duplicate' };
      }
    }
  } catch (error) {
    write.rollback();
    throw error;
  }
}
