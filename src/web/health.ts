/** `GET /health`: `{ "database": true, "last_ingest": 1796025600 }` (200), or 503 with the
 * reason when the database cannot be read — for monitoring. */
import type { Hono } from 'hono';
import type { WebState } from './state.js';

export function healthRoutes(app: Hono, state: WebState): void {
  app.get('/health', (c) => {
    const h = state.health();
    return c.json({ database: h.database, last_ingest: h.lastIngest, ...(h.error === null ? {} : { error: h.error }) }, h.database ? 200 : 503);
  });
}
