import type { ReportIssue } from './types.js';
import { MAX_DISTINCT_ISSUES } from '../../limits.js';

/**
 * Collects what was odd or repaired while reading one report. A quirk repeated in every one of
 * 100,000 records is one issue with a count, so the log stays small whatever the report size.
 */
export class IssueLog {
  readonly #issues = new Map<string, { message: string; count: number }>();

  note(code: string, message: string): void {
    const seen = this.#issues.get(code);
    if (seen !== undefined) {
      seen.count++;
    } else if (this.#issues.size < MAX_DISTINCT_ISSUES) {
      this.#issues.set(code, { message, count: 1 });
    }
  }

  has(code: string): boolean {
    return this.#issues.has(code);
  }

  get size(): number {
    return this.#issues.size;
  }

  list(): ReportIssue[] {
    return [...this.#issues].map(([code, { message, count }]) => ({ code, message, count }));
  }
}
