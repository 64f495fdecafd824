/** What every summary route reads from its request: the period (src/web/period.ts). */
import type { Context } from 'hono';
import type { WebState } from './state.js';
import { webPeriod, type WebPeriod } from './period.js';

export function requestPeriod(c: Context, state: WebState): WebPeriod {
  return webPeriod({ from: c.req.query('from'), to: c.req.query('to'), period: c.req.query('period') }, state.now());
}
