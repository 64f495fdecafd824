/**
 * Reading recorded evaluations (schema/sql/002_evaluations.sql, written by `ruaflow verify` /
 * `serve`) for outbound aggregate reports: one policy domain at a time, so that memory is bounded
 * by the busiest domain of a day, never by the whole day (issue 7: 1,000,000 evaluations).
 * Read-only; the writer lives with the receiver.
 *
 * The reader streams (a SQLite iterator), and a connection that is iterating cannot run anything
 * else: it gets its own read-only connection (`EvaluationReader.open`), and the questions asked
 * meanwhile go through the main one (`EvaluationHistory`). In WAL mode the reader sees one
 * consistent snapshot while the job writes its outbound rows.
 */
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Statement } from 'better-sqlite3';
import { DatabaseError } from '../errors.js';
import { SQLITE_BUSY_TIMEOUT_MS } from '../limits.js';
import type { Evaluation, EvaluationDkim, EvaluationReason } from './evaluation-row.js';

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
  disposition: string | null, decision: string, dkim: string | null, recipients: string | null, reasons: string | null,
];

/** Separators inside the folded child rows: ASCII record and unit separators, which no domain,
 * selector, result word or address contains (free text has them replaced by spaces). */
const RS = '\u001e';
const US = '\u001f';
const text = (column: string): string => `replace(replace(ifnull(${column}, ''), char(30), ' '), char(31), ' ')`;

/**
 * The period's evaluations, sorted by policy domain, each row carrying its child rows folded
 * into one text column (group_concat, in their `n` order). The id range comes first: rows are
 * appended in time order, so reading the range is sequential, and each child lookup is a
 * primary-key probe next to the previous one. One sort (SQLite's sorter, on disk when large)
 * and one stream: memory does not grow with the day. Deferred messages (4xx: the sender tries
 * again, and the retry is evaluated anew) are not counted, or a retried message would count twice.
 */
const DAY_QUERY = `
  SELECT e.id, e.evaluated_at, e.source_ip, e.envelope_from_domain, e.header_from, e.spf_domain, e.spf_scope, e.spf_result,
         e.policy_domain, e.discovery_method, e.p, e.sp, e.np, e.adkim, e.aspf, e.fo, e.testing, e.pct, e.rua,
         e.dkim_aligned, e.spf_aligned, e.disposition, e.decision,
         (SELECT group_concat(domain || char(31) || selector || char(31) || result || char(31) || ${text('reason')} || char(31) || (reason IS NULL) || char(31) || aligned, char(30) ORDER BY n)
            FROM evaluation_dkim WHERE evaluation_id = e.id),
         (SELECT group_concat(address, char(30) ORDER BY n) FROM evaluation_recipients WHERE evaluation_id = e.id),
         (SELECT group_concat(type || char(31) || ${text('comment')} || char(31) || (comment IS NULL), char(30) ORDER BY n)
            FROM evaluation_reasons WHERE evaluation_id = e.id)
    FROM evaluations e
   WHERE e.id BETWEEN @lo AND @hi AND e.evaluated_at BETWEEN @begin AND @end AND e.policy_domain IS NOT NULL AND e.policy_domain <> ''
     AND e.decision <> 'defer'
   ORDER BY e.policy_domain, e.id`;

export class EvaluationReader {
  readonly #range: Statement<[number, number], { lo: number | null; hi: number | null }>;
  readonly #day: Statement<Record<string, number>, MainRow>;
  readonly #db: Database;

  /** A reader on its own read-only connection to the database file. */
  static open(path: string): EvaluationReader {
    try {
      const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
      db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
      return new EvaluationReader(db);
    } catch (error) {
      throw new DatabaseError(`${path}: cannot open the database for reading: ${(error as Error).message}`, { cause: error });
    }
  }

  constructor(db: Database) {
    this.#db = db;
    this.#range = db.prepare('SELECT MIN(id) AS lo, MAX(id) AS hi FROM evaluations WHERE evaluated_at BETWEEN ? AND ?');
    this.#day = db.prepare(DAY_QUERY).raw() as unknown as Statement<Record<string, number>, MainRow>;
  }

  close(): void {
    this.#db.close();
  }

  /**
   * The evaluations of [begin, end], one policy domain at a time, in domain order. Only one
   * domain's evaluations are held at once.
   */
  *byPolicyDomain(begin: number, end: number): Generator<DomainEvaluations> {
    const range = this.#range.get(begin, end);
    if (range?.lo == null || range.hi == null) return;
    let current: DomainEvaluations | null = null;
    for (const r of this.#day.iterate({ lo: range.lo, hi: range.hi, begin, end })) {
      if (current === null || current.policyDomain !== r[8]) {
        if (current !== null) yield current;
        current = { policyDomain: r[8], evaluations: [] };
      }
      current.evaluations.push({
        id: r[0],
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
        dkim: unfold(r[23], (f): EvaluationDkim => ({ domain: f[0] ?? '', selector: f[1] ?? '', result: f[2] ?? '', reason: f[4] === '1' ? null : (f[3] ?? ''), aligned: f[5] === '1' })),
        recipients: r[24] === null ? [] : r[24].split(RS),
        reasons: unfold(r[25], (f): EvaluationReason => ({ type: f[0] ?? '', comment: f[2] === '1' ? null : (f[1] ?? '') })),
      });
    }
    if (current !== null) yield current;
  }
}

function unfold<T>(folded: string | null, map: (fields: string[]) => T): T[] {
  return folded === null ? [] : folded.split(RS).map((row) => map(row.split(US)));
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
