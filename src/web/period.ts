/**
 * The period of a page or API call, from its query: `?from=YYYY-MM-DD&to=YYYY-MM-DD` (UTC days,
 * both inclusive) or `?period=7d|30d|90d|all` (default 30d), read by src/report/period.ts like
 * `--period`. A result, not a throw: the route answers 400 with the message.
 */
import { dayStart, parsePeriod, type Period } from '../report/period.js';

export const DEFAULT_PERIOD = '30d';
/** The choices of the period picker. */
export const PICKER = ['7d', '30d', '90d', 'all'] as const;

export type WebPeriod =
  | {
      readonly ok: true;
      /** null: all. */
      readonly period: Period | null;
      /** The query string that names it again, for links: `period=30d` or `from=…&to=…`. */
      readonly query: string;
    }
  | { readonly ok: false; readonly message: string };

export function webPeriod(query: { readonly from?: string | undefined; readonly to?: string | undefined; readonly period?: string | undefined }, now: number): WebPeriod {
  const { from, to } = query;
  if (from !== undefined || to !== undefined) {
    if (query.period !== undefined) return { ok: false, message: 'give period, or from and to, not both' };
    if (from === undefined || to === undefined) return { ok: false, message: 'from and to go together: ?from=YYYY-MM-DD&to=YYYY-MM-DD' };
    for (const [name, value] of [['from', from], ['to', to]] as const) {
      if (dayStart(value) === null) return { ok: false, message: `${name}=${value}: expected a date YYYY-MM-DD` };
    }
    const parsed = parsePeriod(`${from}..${to}`, now, '');
    if (!parsed.ok) return { ok: false, message: parsed.message };
    return { ok: true, period: parsed.period, query: `from=${from}&to=${to}` };
  }
  const word = query.period ?? DEFAULT_PERIOD;
  if (!/^(\d{1,5}d|all)$/.test(word)) return { ok: false, message: `period=${word}: expected 7d, 30d, 90d (any Nd) or all, or from=YYYY-MM-DD&to=YYYY-MM-DD` };
  const parsed = parsePeriod(word, now, '');
  if (!parsed.ok) return { ok: false, message: parsed.message };
  return { ok: true, period: parsed.period, query: `period=${word}` };
}
