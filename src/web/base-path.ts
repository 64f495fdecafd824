/**
 * `[web] base_path`: behind a reverse proxy that forwards `https://host/ruaflow/…` unchanged, the
 * routes (written from the root: `/`, `/api/v1/overview`) answer `/ruaflow/`, `/ruaflow/api/v1/…`.
 * The prefix is taken off before routing, so no route is written twice; `/ruaflow` alone
 * redirects to `/ruaflow/` (the pages' `<base href>`), and anything outside the prefix is 404.
 */
import { CONTENT_SECURITY_POLICY } from './security.js';

type Fetch = { fetch(request: Request): Response | Promise<Response> };

export function underBasePath(basePath: string, inner: Fetch): Fetch {
  if (basePath === '') return inner;
  return {
    fetch(request: Request): Response | Promise<Response> {
      const url = new URL(request.url);
      if (url.pathname === basePath) return new Response(null, { status: 301, headers: { Location: `${basePath}/${url.search}` } });
      if (!url.pathname.startsWith(`${basePath}/`)) {
        return new Response(`not found: this dashboard is under ${basePath}/\n`, {
          status: 404,
          headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' },
        });
      }
      url.pathname = url.pathname.slice(basePath.length);
      return inner.fetch(new Request(url, request));
    },
  };
}
