/**
 * The correlation of each source as the summary shows it, from the stored classes
 * (`record_classes`, src/jobs/classify-stored.ts). One source can hold several classes in a
 * period — a relay that signs most mail but not all of it — so the summary names the class that
 * needs attention: the largest class that is not a pass, else the largest one.
 */
import type { StoredClassRow } from '../../store/summary-rows.js';
import type { ClassOf, Correlation } from './types.js';

/** Classes that ask nothing of the postmaster. */
const SETTLED = new Set(['ours-pass', 'service-pass']);

export function storedClassOf(rows: Iterable<StoredClassRow>): ClassOf {
  const best = new Map<string, StoredClassRow>();
  for (const row of rows) {
    const key = `${row.domain} ${row.ip}`;
    const held = best.get(key);
    if (held === undefined || outranks(row, held)) best.set(key, row);
  }
  return (domain, ip): Correlation | null => {
    const row = best.get(`${domain} ${ip}`);
    return row === undefined ? null : { class: row.class, fix: SETTLED.has(row.class) ? '' : row.fix };
  };
}

function outranks(a: StoredClassRow, b: StoredClassRow): boolean {
  const aOpen = !SETTLED.has(a.class);
  const bOpen = !SETTLED.has(b.class);
  if (aOpen !== bOpen) return aOpen;
  return a.messages > b.messages;
}
