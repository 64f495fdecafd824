/** `ruaflow reports`: the stored aggregate reports in the order of their begin time, optionally of one policy domain. */
import type { Database } from '../store/database.js';
import { listReports, type StoredReport } from '../store/report-list.js';

export interface ReportsRequest {
  /** Only the reports about this policy domain. */
  readonly domain?: string | undefined;
}

export function storedReports(db: Database, request: ReportsRequest): StoredReport[] {
  return listReports(db, { domain: request.domain });
}
