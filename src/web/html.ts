/**
 * HTML that escapes by default: every value put into an `html` template is escaped with the one
 * escape function of ruaflow (escapeHtml, src/deliver/summary-html.ts) unless it is itself
 * markup made by `html` — so a report's org_name, header_from or selector can only ever be text.
 */
import { escapeHtml } from '../deliver/summary-html.js';
import { passBand } from '../deliver/summary-facts.js';
import { FAVICON, STYLESHEET } from './assets.js';
import { PICKER } from './period.js';

/** Markup already made safe (by `html`): the only kind of value not escaped again. */
export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Value = string | number | Markup | null | undefined | readonly Value[];

const piece = (v: Value): string => {
  if (v === null || v === undefined) return '';
  if (v instanceof Markup) return v.text;
  if (Array.isArray(v)) return (v as readonly Value[]).map(piece).join('');
  return escapeHtml(String(v));
};

export function html(strings: TemplateStringsArray, ...values: Value[]): Markup {
  return new Markup(strings.reduce((out, s, i) => out + s + (i < values.length ? piece(values[i]) : ''), ''));
}

/**
 * `domains/example.com?period=30d`: a path of ours (written from the root, `/domains/…`) with the
 * period carried along, as a link relative to the page's `<base href>` — so every page works
 * at the root and under `[web] base_path` alike, with no path written twice.
 */
export const link = (path: string, periodQuery: string): string => `${relative(path)}?${periodQuery}`;

/** `/assets/web.css` → `assets/web.css`; `/` → `./`: a path of ours relative to `<base href>`. */
export const relative = (path: string): string => (path === '/' ? './' : path.replace(/^\/+/, ''));

/** The period picker: plain links to the same page with 7d / 30d / 90d / all. */
function picker(path: string, periodQuery: string): Markup {
  const links = PICKER.map((p) => html`<a href="${link(path, `period=${p}`)}"${periodQuery === `period=${p}` ? html` class="current" aria-current="page"` : ''}>${p}</a>`);
  return html`<nav class="period" aria-label="period">${links}</nav>`;
}

/** The dashboard's sections, in the header of every page (docs/web.md lists their addresses). */
const SECTIONS = [
  ['/', 'Overview'],
  ['/reporters', 'Reporters'],
  ['/reports', 'Reports'],
  ['/setup', 'Setup'],
  ['/inputs', 'Inputs'],
  ['/outbound', 'Outbound'],
] as const;

function sections(path: string, periodQuery: string): Markup {
  const current = (to: string): boolean => (to === '/' ? path === '/' || path.startsWith('/domains/') || path.startsWith('/sources/') : path === to || path.startsWith(`${to}/`));
  const links = SECTIONS.map(([to, name]) => html`<a href="${link(to, periodQuery)}"${current(to) ? html` class="current" aria-current="page"` : ''}>${name}</a>`);
  return html`<nav class="sections" aria-label="sections">${links}</nav>`;
}

export interface PageParts {
  /** `[web] base_path` ('' at the root): the page's `<base href>` is it with a final slash. */
  readonly base: string;
  readonly title: string;
  /** This page's path (without the query), for the picker's links. */
  readonly path: string;
  readonly periodQuery: string;
  readonly body: Markup;
}

export function page(p: PageParts): string {
  return `<!DOCTYPE html>\n${html`<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<base href="${`${p.base}/`}">
<title>${p.title} · ruaflow</title>
<link rel="stylesheet" href="${relative(STYLESHEET)}">
<link rel="icon" href="${relative(FAVICON)}" type="image/svg+xml">
</head><body>
<header><a class="home" href="${link('/', p.periodQuery)}">ruaflow</a>${sections(p.path, p.periodQuery)}${picker(p.path, p.periodQuery)}</header>
<main>${p.body}</main>
</body></html>`.text}\n`;
}

/** A page for a request that cannot be answered (a bad period, an unknown domain). */
export function errorPage(base: string, title: string, message: string): string {
  return page({ base, title, path: '/', periodQuery: 'period=30d', body: html`<section class="error"><h1>${title}</h1><p>${message}</p></section>` });
}

/** A value from a report shown in a table cell: at most 200 characters, the rest said as a
 * count — a 100 KB org_name must not turn a table into a scroll of one cell. */
export function clip(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${(text.length - max).toLocaleString('en-US')} more characters)`;
}

/** `97.3%`, or an em dash when there is nothing to divide. */
export const percent = (part: number, whole: number): string => (whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1)}%`);

/** good / fair / bad: the CSS class of a pass rate, by the summary's thresholds. */
export function rateClass(part: number, whole: number): string {
  return passBand(part, whole) ?? 'muted';
}

export const day = (epoch: number): string => new Date(epoch * 1000).toISOString().slice(0, 10);
