/**
 * Stored classes of our domains' records (`record_classes`, `classified_domains`): which records
 * need a class, the facts the classifier reads, and writing the answers.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { RecordFacts } from './record-facts.js';
import type { DkimFailCause, MatchedBy, SourceClass } from './source-classes.js';

export interface DomainState {
  readonly configHash: string;
  readonly throughRecordId: number;
}

export interface StoredFacts {
  readonly recordId: number;
  readonly facts: RecordFacts;
}

/** A record's class as stored: the classifier's verdict with its finding and remedy already in
 * words (the jobs render them through src/deliver/source-verdict-text.ts). */
export interface StoredClassification {
  readonly class: SourceClass;
  readonly cause: DkimFailCause | null;
  readonly service: string | null;
  readonly matchedBy: MatchedBy | null;
  readonly reason: string;
  readonly fix: string;
}

export interface ClassRow {
  readonly recordId: number;
  readonly domain: string;
  readonly classification: StoredClassification;
  readonly ptrName: string | null;
  readonly configHash: string;
  readonly classifiedAt: number;
}

/** A stored class whose source a PTR name could explain differently. */
export interface PtrSensitiveRow {
  readonly recordId: number;
  readonly sourceIp: string;
  readonly ptrName: string | null;
}

interface RecordRow {
  id: number;
  source_ip: string;
  header_from: string | null;
  dkim_aligned: string | null;
  spf_aligned: string | null;
  policy_domain: string;
  adkim: string | null;
  aspf: string | null;
  p: string | null;
  sp: string | null;
}

/** `name` is `domain` or under it, in SQL (LIKE would treat `_` as a wildcard). */
const under = (column: string): string => `(lower(${column}) = @d OR substr(lower(${column}), -length(@d) - 1) = '.' || @d)`;

export class RecordClassStore {
  readonly #db: Database;
  readonly #state: Statement<[string], { config_hash: string; through_record_id: number }>;
  readonly #setState: Statement<[string, string, number, number]>;
  readonly #clearDomain: Statement<[string]>;
  readonly #clearState: Statement<[string]>;
  readonly #maxRecord: Statement<[], { id: number | null }>;
  readonly #candidates: Statement<{ d: string; after: number; through: number }, { id: number; header_from: string | null; policy_domain: string }>;
  readonly #records: Statement<[string], RecordRow>;
  readonly #dkim: Statement<[string], { record_id: number; domain: string; selector: string | null; result: string }>;
  readonly #spf: Statement<[string], { record_id: number; domain: string; scope: string | null; result: string }>;
  readonly #reasons: Statement<[string], { record_id: number; type: string; comment: string | null }>;
  readonly #save: Statement<unknown[]>;
  readonly #ptrSensitive: Statement<[string], { record_id: number; source_ip: string; ptr_name: string | null }>;

  constructor(db: Database) {
    this.#db = db;
    this.#state = db.prepare('SELECT config_hash, through_record_id FROM classified_domains WHERE domain = ?');
    this.#setState = db.prepare(
      `INSERT INTO classified_domains (domain, config_hash, through_record_id, classified_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (domain) DO UPDATE SET config_hash = excluded.config_hash,
              through_record_id = excluded.through_record_id, classified_at = excluded.classified_at`,
    );
    this.#clearDomain = db.prepare('DELETE FROM record_classes WHERE domain = ?');
    this.#clearState = db.prepare('DELETE FROM classified_domains WHERE domain = ?');
    this.#maxRecord = db.prepare('SELECT MAX(id) AS id FROM records');
    this.#candidates = db.prepare(
      `SELECT c.id, c.header_from, r.policy_domain FROM records c JOIN reports r ON r.id = c.report_id
        WHERE c.id > @after AND c.id <= @through AND (${under('c.header_from')} OR ${under('r.policy_domain')})
        ORDER BY c.id`,
    );
    const ids = 'SELECT value FROM json_each(?)';
    this.#records = db.prepare(
      `SELECT c.id, c.source_ip, c.header_from, c.dkim_aligned, c.spf_aligned,
              r.policy_domain, r.adkim, r.aspf, r.p, r.sp
         FROM records c JOIN reports r ON r.id = c.report_id WHERE c.id IN (${ids})`,
    );
    this.#dkim = db.prepare(`SELECT record_id, domain, selector, result FROM dkim_results WHERE record_id IN (${ids}) ORDER BY record_id, n`);
    this.#spf = db.prepare(`SELECT record_id, domain, scope, result FROM spf_results WHERE record_id IN (${ids}) ORDER BY record_id, n`);
    this.#reasons = db.prepare(`SELECT record_id, type, comment FROM reasons WHERE record_id IN (${ids}) ORDER BY record_id, n`);
    this.#save = db.prepare(
      `INSERT OR REPLACE INTO record_classes
         (record_id, domain, class, cause, service, matched_by, ptr_name, reason, fix, config_hash, classified_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#ptrSensitive = db.prepare(
      `SELECT c.record_id, r.source_ip, c.ptr_name FROM record_classes c JOIN records r ON r.id = c.record_id
        WHERE c.domain = ? AND (c.matched_by IS NULL OR c.matched_by IN ('ptr', 'dkim'))`,
    );
  }

  domainState(domain: string): DomainState | null {
    const row = this.#state.get(domain);
    return row === undefined ? null : { configHash: row.config_hash, throughRecordId: row.through_record_id };
  }

  setDomainState(domain: string, state: DomainState, now: number): void {
    this.#setState.run(domain, state.configHash, state.throughRecordId, now);
  }

  /** Forget every class of a domain (its configuration changed, or it is no longer ours). */
  clearDomain(domain: string): void {
    this.#db.transaction(() => {
      this.#clearDomain.run(domain);
      this.#clearState.run(domain);
    })();
  }

  /** Domains that have classes stored. */
  storedDomains(): string[] {
    const rows = this.#db
      .prepare<[], { domain: string }>('SELECT domain FROM classified_domains UNION SELECT DISTINCT domain FROM record_classes')
      .all();
    return rows.map((r) => r.domain);
  }

  maxRecordId(): number {
    return this.#maxRecord.get()?.id ?? 0;
  }

  /** Records in (after, through] whose header From or policy domain is `domain` or under it. */
  candidates(domain: string, after: number, through: number): { id: number; headerFrom: string | null; policyDomain: string }[] {
    return this.#candidates.all({ d: domain, after, through }).map((r) => ({ id: r.id, headerFrom: r.header_from, policyDomain: r.policy_domain }));
  }

  /** The facts of these records, with their DKIM, SPF and override rows. */
  facts(recordIds: readonly number[]): StoredFacts[] {
    const json = JSON.stringify(recordIds);
    const group = <T extends { record_id: number }>(rows: T[]): Map<number, T[]> => {
      const map = new Map<number, T[]>();
      for (const row of rows) {
        const list = map.get(row.record_id);
        if (list === undefined) map.set(row.record_id, [row]);
        else list.push(row);
      }
      return map;
    };
    const dkim = group(this.#dkim.all(json));
    const spf = group(this.#spf.all(json));
    const reasons = group(this.#reasons.all(json));
    return this.#records
      .all(json)
      .sort((a, b) => a.id - b.id)
      .map((r) => ({
        recordId: r.id,
        facts: {
          sourceIp: r.source_ip,
          headerFrom: r.header_from,
          policyDomain: r.policy_domain,
          dkimAligned: r.dkim_aligned,
          spfAligned: r.spf_aligned,
          adkim: r.adkim,
          aspf: r.aspf,
          p: r.p,
          sp: r.sp,
          dkim: (dkim.get(r.id) ?? []).map((d) => ({ domain: d.domain, selector: d.selector, result: d.result })),
          spf: (spf.get(r.id) ?? []).map((s) => ({ domain: s.domain, scope: s.scope, result: s.result })),
          reasons: (reasons.get(r.id) ?? []).map((x) => ({ type: x.type, comment: x.comment })),
        },
      }));
  }

  save(rows: readonly ClassRow[]): void {
    this.#db.transaction(() => {
      for (const row of rows) {
        const c = row.classification;
        this.#save.run(row.recordId, row.domain, c.class, c.cause, c.service, c.matchedBy, row.ptrName, c.reason, c.fix, row.configHash, row.classifiedAt);
      }
    })();
  }

  /** Classes of `domain` that a PTR name could change: unknown sources, and services matched
   * by PTR or DKIM (an IP or relay match does not depend on the name). */
  ptrSensitive(domain: string): PtrSensitiveRow[] {
    return this.#ptrSensitive.all(domain).map((r) => ({ recordId: r.record_id, sourceIp: r.source_ip, ptrName: r.ptr_name }));
  }
}
