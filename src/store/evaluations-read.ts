/**
 * Reading recorded evaluations (schema/sql/002_evaluations.sql, written by `ruaflow verify` /
 * `serve`) for outbound aggregate reports: one policy domain at a time, so that memory is bounded
 * by the busiest domain of a day, never by the whole day (issue 7: 1,000,000 evaluations).
 * Read-only; the writer lives with the receiver.
 *
 * The reader streams (SQLite iterators), and a connection that is iterating cannot run anything
 * else: it gets its own read-only connection (`EvaluationReader.open`), and the questions asked
 * meanwhile go through the main one (`EvaluationHistory`). In WAL mode the reader sees one
 * consistent snapshot while the job writes its outbound rows.
 */
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Statement } from 'better-sqlite3';
import { DatabaseError } from '../errors.js';
import type { Evaluation, EvaluationDkim, EvaluationReason } from '../receiver/aggregate.js';

/** One policy domain's evaluations of a period, complete with DKIM results, reasons and recipients. */
export interface DomainEvaluations {
  readonly policyDomain: string;
  readonly evaluations: Evaluation[];
}

type MainRow = [
  id: number, evaluatedAt: number, sourceIp: string, envelopeFromDomain: string | null, headerFrom: string | null,
  spfDomain: string | null, spfScope: string | null, spfResult: string | null, policyDomain: string, discoveryMethod: string | null,
  p: string | null, sp: string | null, np: string | null, adkim: string | null, aspf: string | null, fo: string | null,
  testing: string | null, pct: number | null, rua: string | null, dkimAligned: string | null, spfAligned: string | null,
  disposition: string | null, decision: string,
];
type DkimRow = [evaluationId: number, domain: string, selector: string, result: string, reason: string | null, aligned: number];
type ReasonRow = [evaluationId: number, type: string, comment: string | null];
type RecipientRow = [evaluationId: number, address: string];

/** The period's evaluations (by id range first: rows are appended in time order, so the range is
 * a sequential read), sorted by policy domain. Each child table is read the same way and sorted
 * the same way, so the four streams can be merged in step. */
const IN_PERIOD = 'e.id BETWEEN @lo AND @hi AND e.evaluated_at BETWEEN @begin AND @end AND e.policy_domain IS NOT NULL AND e.policy_domain <> \'\'';
const child = (table: string, columns: string): string =>
  `SELECT c.evaluation_id, ${columns} FROM ${table} c JOIN evaluations e ON e.id = c.evaluation_id
    WHERE c.evaluation_id BETWEEN @lo AND @hi AND ${IN_PERIOD} ORDER BY e.policy_domain, c.evaluation_id, c.n`;

export class EvaluationReader {
  readonly #range: Statement<[number, number], { lo: number | null; hi: number | null }>;
  readonly #main: Statement<Record<string, number>, MainRow>;
  readonly #dkim: Statement<Record<string, number>, DkimRow>;
  readonly #reasons: Statement<Record<string, number>, ReasonRow>;
  readonly #recipients: Statement<Record<string, number>, RecipientRow>;
  readonly #db: Database;

  /** A reader on its own read-only connection to the database file. */
  static open(path: string): EvaluationReader {
    try {
      const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
      db.pragma('busy_timeout = 10000');
      return new EvaluationReader(db);
    } catch (error) {
      throw new DatabaseError(`${path}: cannot open the database for reading: ${(error as Error).message}`, { cause: error });
    }
  }

  constructor(db: Database) {
    this.#db = db;
    this.#range = db.prepare('SELECT MIN(id) AS lo, MAX(id) AS hi FROM evaluations WHERE evaluated_at BETWEEN ? AND ?');
    this.#main = db
      .prepare(
        `SELECT e.id, e.evaluated_at, e.source_ip, e.envelope_from_domain, e.header_from, e.spf_domain, e.spf_scope, e.spf_result,
                e.policy_domain, e.discovery_method, e.p, e.sp, e.np, e.adkim, e.aspf, e.fo, e.testing, e.pct, e.rua,
                e.dkim_aligned, e.spf_aligned, e.disposition, e.decision
           FROM evaluations e WHERE ${IN_PERIOD} ORDER BY e.policy_domain, e.id`,
      )
      .raw() as unknown as Statement<Record<string, number>, MainRow>;
    this.#dkim = db.prepare(child('evaluation_dkim', 'c.domain, c.selector, c.result, c.reason, c.aligned')).raw() as unknown as Statement<Record<string, number>, DkimRow>;
    this.#reasons = db.prepare(child('evaluation_reasons', 'c.type, c.comment')).raw() as unknown as Statement<Record<string, number>, ReasonRow>;
    this.#recipients = db.prepare(child('evaluation_recipients', 'c.address')).raw() as unknown as Statement<Record<string, number>, RecipientRow>;
  }

  close(): void {
    this.#db.close();
  }

  /**
   * The evaluations of [begin, end], one policy domain at a time, in domain order. Only one
   * domain's evaluations are held at once; SQLite's sorter does the rest (on disk when large).
   * The caller must finish (or return from) the generator before writing to the database.
   */
  *byPolicyDomain(begin: number, end: number): Generator<DomainEvaluations> {
    const range = this.#range.get(begin, end);
    if (range?.lo == null || range.hi == null) return;
    const params = { lo: range.lo, hi: range.hi, begin, end };
    const dkim = peekable(this.#dkim.iterate(params));
    const reasons = peekable(this.#reasons.iterate(params));
    const recipients = peekable(this.#recipients.iterate(params));
    try {
      let current: DomainEvaluations | null = null;
      for (const r of this.#main.iterate(params)) {
        const id = r[0];
        if (current === null || current.policyDomain !== r[8]) {
          if (current !== null) yield current;
          current = { policyDomain: r[8], evaluations: [] };
        }
        current.evaluations.push({
          id,
          evaluatedAt: r[1],
          sourceIp: r[2],
          envelopeFromDomain: r[3],
          headerFrom: r[4],
          spfDomain: r[5],
          spfScope: r[6],
          spfResult: r[7],
          policyDomain: r[8],
          policy: { p: r[10], sp: r[11], np: r[12], adkim: r[13], aspf: r[14], fo: r[15], testing: r[16], pct: r[17], discoveryMethod: r[9] },
          rua: r[18],
          dkimAligned: r[19],
          spfAligned: r[20],
          disposition: r[21],
          decision: r[22],
          recipients: take(recipients, id, (c) => c[1]),
          dkim: take(dkim, id, (c): EvaluationDkim => ({ domain: c[1], selector: c[2], result: c[3], reason: c[4], aligned: c[5] === 1 })),
          reasons: take(reasons, id, (c): EvaluationReason => ({ type: c[1], comment: c[2] })),
        });
      }
      if (current !== null) yield current;
    } finally {
      dkim.close();
      reasons.close();
      recipients.close();
    }
  }

}

/** Questions about the whole history of evaluations, asked on the main connection. */
export class EvaluationHistory {
  readonly #everAccepted: Statement<[string], { one: number }>;

  constructor(db: Database) {
    this.#everAccepted = db.prepare(`SELECT 1 AS one FROM evaluations WHERE policy_domain = ? AND decision IN ('accept', 'quarantine') LIMIT 1`);
  }

  /** Did any message of this policy domain, ever, get accepted or quarantined (not rejected)? */
  everAccepted(domain: string): boolean {
    return this.#everAccepted.get(domain) !== undefined;
  }
}

interface Peekable<T> {
  head: T | undefined;
  next(): void;
  close(): void;
}

function peekable<T>(iterator: IterableIterator<T>): Peekable<T> {
  const it: Peekable<T> = {
    head: undefined,
    next() {
      const step = iterator.next();
      it.head = step.done === true ? undefined : step.value;
    },
    close() {
      iterator.return?.();
    },
  };
  it.next();
  return it;
}

/** The child rows of evaluation `id`: they are at the head of the stream (same order as the main one). */
function take<R extends [number, ...unknown[]], T>(stream: Peekable<R>, id: number, map: (row: R) => T): T[] {
  const out: T[] = [];
  while (stream.head !== undefined && stream.head[0] === id) {
    out.push(map(stream.head));
    stream.next();
  }
  return out;
}
