/**
 * The headers every answer carries. Report contents are written by strangers (DESIGN.md round
 * 2, STYLE.md 19): besides escaping every value (src/web/html.ts), the Content-Security-Policy
 * lets the page load only what this server serves — no inline script, no inline style, no other
 * origin, no CDN, no fonts from outside — so a value that escaped the escaping still cannot run
 * or phone home.
 */
import type { MiddlewareHandler } from 'hono';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Frame-Options', 'DENY');
  c.header('Cache-Control', 'no-store');
};
