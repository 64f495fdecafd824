/** The dashboard's routes, one file per resource, over one shared state (src/web/state.ts). */
import { Hono } from 'hono';
import { assetRoutes } from './assets.js';
import { domainRoutes } from './domain.js';
import { healthRoutes } from './health.js';
import { errorPage } from './html.js';
import { overviewRoutes } from './overview.js';
import { underBasePath } from './base-path.js';
import { securityHeaders } from './security.js';
import type { WebState } from './state.js';

/** The routes, answering requests under `[web] base_path` (src/web/base-path.ts). */
export function webApp(state: WebState, onError: (error: unknown) => void): { fetch(request: Request): Response | Promise<Response> } {
  return underBasePath(state.basePath, routes(state, onError));
}

function routes(state: WebState, onError: (error: unknown) => void): Hono {
  const app = new Hono();
  app.use('*', securityHeaders);
  assetRoutes(app);
  healthRoutes(app, state);
  overviewRoutes(app, state);
  domainRoutes(app, state);
  const api = (path: string): boolean => path.startsWith('/api/');
  app.notFound((c) => (api(c.req.path) ? c.json({ error: 'not found' }, 404) : c.html(errorPage(state.basePath, 'Not found', c.req.path), 404)));
  app.onError((error, c) => {
    onError(error);
    return api(c.req.path) ? c.json({ error: 'internal error; see the log' }, 500) : c.html(errorPage(state.basePath, 'Internal error', 'see the log of ruaflow web'), 500);
  });
  return app;
}
