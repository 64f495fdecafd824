/**
 * The overview: every domain (configured and reported) with its messages and DMARC pass for the
 * period. `GET /api/v1/overview` is `ruaflow summary --format json --offline` for the period
 * (the same job, the same renderer, the same field names); `GET /` shows the same numbers.
 */
import type { Hono } from 'hono';
import type { Summary } from '../analyze/summary/types.js';
import { summaryJson } from '../deliver/summary-json.js';
import { clip, day, errorPage, html, link, page, percent, rateClass } from './html.js';
import { requestPeriod } from './request.js';
import type { WebState } from './state.js';

export function overviewRoutes(app: Hono, state: WebState): void {
  app.get('/api/v1/overview', async (c) => {
    const p = requestPeriod(c, state);
    if (!p.ok) return c.json({ error: p.message }, 400);
    return c.json(summaryJson(await state.summary(p.period, null)));
  });

  app.get('/', async (c) => {
    const p = requestPeriod(c, state);
    if (!p.ok) return c.html(errorPage(state.basePath, 'Bad period', p.message), 400);
    const s = await state.summary(p.period, null);
    return c.html(page({ base: state.basePath, title: 'Overview', path: '/', periodQuery: p.query, body: overviewBody(s, p.query) }));
  });
}

function overviewBody(s: Summary, periodQuery: string) {
  const rows = s.domains.map(
    (d) => html`<tr>
<td><a href="${link(`/domains/${encodeURIComponent(d.domain)}`, periodQuery)}">${clip(d.domain)}</a></td>
<td class="n">${d.messages.toLocaleString('en-US')}</td>
<td class="n"><span class="${rateClass(d.dmarcPass, d.messages)}">${percent(d.dmarcPass, d.messages)}</span></td>
<td class="n wide">${d.previous === null ? '—' : d.previous.messages.toLocaleString('en-US')}</td>
<td class="wide">${d.published === null ? 'not looked up (offline)' : d.published.policy}</td>
<td class="n wide">${d.sources.length}</td>
</tr>`,
  );
  return html`<h1>Overview</h1>
<p class="muted">${day(s.period.begin)} to ${day(s.period.end - 1)} (UTC)${s.latestReportEnd === null ? '' : html` · latest report ends ${day(s.latestReportEnd)}`}</p>
<section>${
    s.domains.length === 0
      ? html`<p>No domains: no reports stored and none configured.</p>`
      : html`<table><thead><tr><th>Domain</th><th class="n">Messages</th><th class="n">DMARC pass</th><th class="n wide">Previous period</th><th class="wide">Published policy</th><th class="n wide">Sources</th></tr></thead>
<tbody>${rows}</tbody></table>`
  }</section>`;
}
