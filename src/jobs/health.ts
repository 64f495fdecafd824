/**
 * Is the service able to answer: the database readable, and when a report was last stored. A
 * database that cannot be read is a value here (`database: false` with the reason), not a
 * throw: a health check must answer, and say what is wrong.
 */
import type { Database } from '../store/database.js';
import { lastReportStored } from '../store/activity.js';

export interface Health {
  readonly database: boolean;
  /** Epoch seconds; null when no report is stored (or the database cannot be read). */
  readonly lastIngest: number | null;
  /** Why the database cannot be read; null when it can. */
  readonly error: string | null;
}

export function health(db: Database): Health {
  try {
    return { database: true, lastIngest: lastReportStored(db), error: null };
  } catch (error) {
    return { database: false, lastIngest: null, error: error instanceof Error ? error.message : String(error) };
  }
}
