/**
 * The one stylesheet, served from this server (`/assets/web.css`): the CSP allows no inline
 * style, so every look is a class here. Widths that carry numbers (the per-day bars) are SVG
 * attributes, not styles. No web font: the system's.
 */
import type { Hono } from 'hono';

export const STYLESHEET = '/assets/web.css';
/** Served so that the browser's own request for an icon is not a 404 in the console. */
export const FAVICON = '/assets/favicon.svg';

const ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1a55a0"/><rect x="3" y="9" width="2" height="4" fill="#fff"/><rect x="7" y="6" width="2" height="7" fill="#fff"/><rect x="11" y="3" width="2" height="10" fill="#fff"/></svg>';

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f4f5f7;color:#222;font:14px/1.4 -apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif}
header,main{max-width:1100px;margin:0 auto;padding:12px 16px}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:8px 16px}
header .home{font-weight:bold;font-size:18px;color:#222;text-decoration:none}
nav{display:flex;flex-wrap:wrap;gap:4px 0;min-width:0}
nav.sections a{color:#1a55a0;text-decoration:none;margin-right:10px}
nav.sections a.current{font-weight:bold;color:#222}
nav.period a{padding:2px 8px;border:1px solid #ccc;border-radius:4px;color:#1a55a0;text-decoration:none;margin-right:4px}
nav.period a.current{background:#1a55a0;color:#fff;border-color:#1a55a0}
h1{font-size:20px;margin:8px 0;overflow-wrap:anywhere;word-break:break-word}
h2{font-size:16px;margin:16px 0 6px}
.muted{color:#666;font-size:13px}
section{background:#fff;border-radius:6px;padding:8px 12px;margin:12px 0;overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{padding:5px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top;overflow-wrap:anywhere;word-break:break-word}
th{font-size:12px;color:#555;overflow-wrap:normal;word-break:normal}
td.n,th.n{text-align:right;white-space:nowrap}
.good{color:#2e7d32;font-weight:bold}.fair{color:#b26a00;font-weight:bold}.bad{color:#c62828;font-weight:bold}
svg.bar{display:block;width:100%;height:12px}
svg.bar .pass{fill:#2e7d32}svg.bar .fail{fill:#c62828}svg.bar .track{fill:#f1f3f4}
td.day{white-space:nowrap;width:1%}td.chart{width:60%;vertical-align:middle}
.error{background:#fdecea;border:1px solid #c62828}
@media (max-width:600px){th.wide,td.wide{display:none}td.chart{width:40%}}
`;

export function assetRoutes(app: Hono): void {
  app.get(STYLESHEET, (c) => c.body(CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' }));
  app.get(FAVICON, (c) => c.body(ICON, 200, { 'Content-Type': 'image/svg+xml' }));
  app.get('/favicon.ico', (c) => c.redirect(FAVICON, 301));
}
