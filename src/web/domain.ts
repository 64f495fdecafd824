/**
 * One policy domain: its totals, a per-day chart, its sources and reporters for the period.
 * `GET /api/v1/domains/{domain}` is `ruaflow summary --format json --offline --domain D` for the
 * period; `GET /domains/{domain}` shows the same numbers. A domain nobody reports is there with
 * no messages, as it is in `summary --domain`.
 */
import type { Hono } from 'hono';
import type { DayTotals, DomainSummary, Summary } from '../analyze/summary/types.js';
import { summaryJson } from '../deliver/summary-json.js';
import { normalizeDomain } from '../mail/address-syntax.js';
import { clip, day, errorPage, html, link, page, percent, rateClass, type Markup } from './html.js';
import { requestPeriod } from './request.js';
import type { WebState } from './state.js';


export function domainRoutes(app: Hono, state: WebState): void {
  app.get('/api/v1/domains/:domain', async (c) => {
    const p = requestPeriod(c, state);
    if (!p.ok) return c.json({ error: p.message }, 400);
    const s = await state.summary(p.period, [normalizeDomain(c.req.param('domain'))]);
    if (s.domains.length === 0) return c.json({ error: 'no such domain: none configured or reported by that name' }, 404);
    return c.json(summaryJson(s));
  });

  app.get('/domains/:domain', async (c) => {
    const p = requestPeriod(c, state);
    if (!p.ok) return c.html(errorPage(state.basePath, 'Bad period', p.message), 400);
    const name = normalizeDomain(c.req.param('domain'));
    const s = await state.summary(p.period, [name]);
    const d = s.domains[0];
    if (d === undefined) return c.html(errorPage(state.basePath, 'No such domain', `${name}: none configured or reported by that name`), 404);
    return c.html(page({ base: state.basePath, title: d.domain, path: `/domains/${encodeURIComponent(d.domain)}`, periodQuery: p.query, body: domainBody(s, d) }));
  });
}

const n = (x: number): string => x.toLocaleString('en-US');

function domainBody(s: Summary, d: DomainSummary): Markup {
  const sources = d.sources.map(
    (x) => html`<tr><td>${x.ip}</td><td class="wide">${clip(x.organisation ?? x.ptr ?? '')}</td><td class="n">${n(x.messages)}</td>
<td class="n"><span class="${rateClass(x.dmarcPass, x.messages)}">${percent(x.dmarcPass, x.messages)}</span></td>
<td class="wide">${x.correlation?.class ?? ''}</td><td class="wide">${clip(x.correlation?.fix ?? '')}</td></tr>`,
  );
  const reporters = d.reporters.map((r) => html`<tr><td>${clip(r.name)}</td><td class="n">${n(r.reports)}</td><td class="n">${n(r.messages)}</td></tr>`);
  return html`<h1>${clip(d.domain)}</h1>
<p class="muted">${day(s.period.begin)} to ${day(s.period.end - 1)} (UTC)</p>
<section><table><tbody>
<tr><th>Messages</th><td class="n">${n(d.messages)}</td></tr>
<tr><th>DMARC pass</th><td class="n"><span class="${rateClass(d.dmarcPass, d.messages)}">${percent(d.dmarcPass, d.messages)}</span> (${n(d.dmarcPass)})</td></tr>
<tr><th>DKIM aligned pass</th><td class="n">${n(d.dkimPass)}</td></tr>
<tr><th>SPF aligned pass</th><td class="n">${n(d.spfPass)}</td></tr>
<tr><th>Disposition</th><td>none ${n(d.disposition.none)} · quarantine ${n(d.disposition.quarantine)} · reject ${n(d.disposition.reject)}</td></tr>
</tbody></table></section>
<section><h2>Per day</h2>${dayChart(d.days)}</section>
<section><h2>Sources</h2>${
    sources.length === 0
      ? html`<p class="muted">No sources in this period.</p>`
      : html`<table><thead><tr><th>IP</th><th class="wide">Name</th><th class="n">Messages</th><th class="n">DMARC pass</th><th class="wide">Class</th><th class="wide">Fix</th></tr></thead><tbody>${sources}</tbody></table>`
  }</section>
<section><h2>Reporters</h2>${
    reporters.length === 0
      ? html`<p class="muted">No reports in this period.</p>`
      : html`<table><thead><tr><th>Reporter</th><th class="n">Reports</th><th class="n">Messages</th></tr></thead><tbody>${reporters}</tbody></table>`
  }</section>`;
}

/**
 * One row per day: a bar (passing green, failing red, on a light track, as long as the day's
 * volume against the busiest day) and the numbers as text. The bar is SVG with its widths as
 * attributes: the CSP allows no inline style, and attributes are not styles.
 */
function dayChart(days: readonly DayTotals[]): Markup {
  const most = Math.max(0, ...days.map((x) => x.messages));
  if (most === 0) return html`<p class="muted">No messages reported in this period.</p>`;
  const rows = days.map((x) => {
    const pass = (100 * x.dmarcPass) / most;
    const fail = (100 * (x.messages - x.dmarcPass)) / most;
    return html`<tr><td class="day">${day(x.day)}</td>
<td class="chart"><svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label="${`${x.dmarcPass} passing, ${x.messages - x.dmarcPass} failing`}"><rect class="track" x="0" y="0" width="100" height="10"/><rect class="pass" x="0" y="0" width="${pass.toFixed(2)}" height="10"/><rect class="fail" x="${pass.toFixed(2)}" y="0" width="${fail.toFixed(2)}" height="10"/></svg></td>
<td class="n">${n(x.messages)}</td><td class="n"><span class="${rateClass(x.dmarcPass, x.messages)}">${percent(x.dmarcPass, x.messages)}</span></td></tr>`;
  });
  return html`<table><thead><tr><th>Day</th><th>Pass / fail</th><th class="n">Messages</th><th class="n">DMARC pass</th></tr></thead><tbody>${rows}</tbody></table>`;
}
