/**
 * What every summary format says, computed once from the model: rates, changes, the failing and
 * new sources, the problem count and the e-mail subject. Pure; the renderers only lay it out.
 */
import { day as isoDay, num } from './format.js';
import { daysEndingWith } from '../report/period.js';
import { SUMMARY_PASS_RATE_FAIR, SUMMARY_PASS_RATE_GOOD } from '../limits.js';
import type { DomainSummary, PublishedPolicy, SourceSummary, Summary } from '../analyze/summary/types.js';
import type { PolicyTags } from '../dmarc/policy-tags.js';

/** Classes that are not ours to fix: mail forwarded by others, and forgeries (which a stricter
 * policy is meant to stop). Everything else failing DMARC is a problem. */
const NOT_A_PROBLEM = new Set(['forwarded', 'spoof']);

export { num };

export const rate = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

/** `97.8%`, or `–` when there is nothing to divide. */
export const percent = (part: number, whole: number): string => {
  const r = rate(part, whole);
  return r === null ? '–' : `${(100 * r).toFixed(1)}%`;
};

/** Change of the pass rate in percentage points: `+1.2`, `−0.4` (a real minus sign), `±0.0`. */
export function passChange(d: DomainSummary): string | null {
  if (d.previous === null) return null;
  const now = rate(d.dmarcPass, d.messages);
  const before = rate(d.previous.dmarcPass, d.previous.messages);
  if (now === null || before === null) return null;
  const points = Math.round(1000 * (now - before)) / 10;
  if (points === 0) return '±0.0';
  return `${points > 0 ? '+' : '−'}${Math.abs(points).toFixed(1)}`;
}

/** Change in message volume: `+12%`, `−3%`; null without a previous period. */
export function volumeChange(d: DomainSummary): string | null {
  if (d.previous === null || d.previous.messages === 0) return null;
  const change = Math.round((100 * (d.messages - d.previous.messages)) / d.previous.messages);
  return change === 0 ? '±0%' : `${change > 0 ? '+' : '−'}${Math.abs(change)}%`;
}

export const failing = (s: SourceSummary): number => s.messages - s.dmarcPass;

/** Most messages failing DMARC first, then most messages. */
const mostFailing = (a: SourceSummary, b: SourceSummary): number => failing(b) - failing(a) || b.messages - a.messages;

/** The band of a DMARC pass rate by the thresholds in src/limits.ts (which say why they are where
 * they are); null when there is nothing to divide. The HTML summary and the web pages colour by it. */
export function passBand(part: number, whole: number): 'good' | 'fair' | 'bad' | null {
  if (whole === 0) return null;
  const r = part / whole;
  return r >= SUMMARY_PASS_RATE_GOOD ? 'good' : r >= SUMMARY_PASS_RATE_FAIR ? 'fair' : 'bad';
}

/** Classes of our own sources (relays, services) whose DKIM or SPF is broken: ours to fix even
 * while DMARC still passes by the other mechanism, which one change elsewhere can break
 * (src/store/source-classes.ts). */
const OURS_BROKEN = new Set(['ours-dkim-fail', 'ours-spf-fail', 'service-fail']);

const isOursBroken = (s: SourceSummary): boolean => OURS_BROKEN.has(s.correlation?.class ?? '');

export const isProblem = (s: SourceSummary): boolean => isOursBroken(s) || (failing(s) > 0 && !NOT_A_PROBLEM.has(s.correlation?.class ?? ''));

/** "What to fix": our own broken sources first (most failing, then most mail), then the other
 * sources failing DMARC, most failures first (issue 12 #17). */
export const toFix = (d: DomainSummary): SourceSummary[] =>
  d.sources.filter((s) => isOursBroken(s) || failing(s) > 0).sort((a, b) => Number(isOursBroken(b)) - Number(isOursBroken(a)) || mostFailing(a, b));

export const problems = (d: DomainSummary): number => d.sources.filter(isProblem).length;

/** New sources, when there was a previous period to compare with (else everything is new). */
export const newSources = (d: DomainSummary): SourceSummary[] => (d.previous === null || d.previous.messages === 0 ? [] : d.sources.filter((s) => s.isNew));

/** `mail.example.net (192.0.2.1)`, or just the address. */
export const sourceLabel = (s: SourceSummary): string => (s.ptr === null ? s.ip : `${s.ptr} (${s.ip})`);

export const policyText = (p: PolicyTags): string =>
  [
    `p=${p.p ?? '?'}`,
    p.sp !== null ? `sp=${p.sp}` : null,
    p.np !== null ? `np=${p.np}` : null,
    p.pct !== null && p.pct !== 100 ? `pct=${p.pct}` : null,
    p.testing === 'y' ? 't=y' : null,
  ]
    .filter((x) => x !== null)
    .join(' ');

/** Where the policy in DNS is published: at the domain, or at its organisational domain or a
 * public suffix domain above it, whose record then applies (RFC 9989 §4.10). */
export const publishedWhere = (d: DomainSummary, p: PublishedPolicy): string =>
  p.via === 'domain' ? 'published' : `published at ${p.recordDomain} (${p.via === 'psd' ? 'public suffix domain' : 'organisational domain'})`;

/** For an inherited record, which of its tags applies to the domain (RFC 9989 §4.10.1): null for
 * the domain's own record, where p= applies. */
export function appliesNote(d: DomainSummary, p: PublishedPolicy): string | null {
  if (p.via === 'domain') return null;
  const tag = `${p.applies}=${p.policy ?? '?'}`;
  return p.applies === 'np' ? `${tag} applies: ${d.domain} does not exist in DNS` : `${tag} applies to ${d.domain}`;
}

/**
 * The readiness line: what a stricter policy would do to the period's failing mail, said against
 * the policy that applies to the domain now (RFC 7489 §6.3 p=; sp= or np= for a subdomain that
 * inherits its organisational domain's record, RFC 9989 §4.10.1). Spoofing, which enforcement is
 * meant to stop, is told apart from the legitimate mail it would hurt (our own sources, our
 * services, forwarders), by the class of each source (issue 12 #16).
 */
export function readinessText(d: DomainSummary): string {
  const r = d.readiness;
  if (r.messages === 0) return 'no messages reported';
  const p = d.published?.policy ?? null;
  const tag = d.published?.applies ?? 'p';
  const legitimate = r.ours + r.services + r.forwarded;
  const failingAll = r.hurt + r.forwarded;
  if (failingAll === 0) return p === 'reject' ? `at ${tag}=reject no reported mail fails DMARC` : `${tag}=quarantine or ${tag}=reject would hurt no reported mail`;
  if (r.spoof + legitimate === 0) {
    // No source is classed: the plain share, as before classes existed.
    const share = `${percent(r.unclassified, r.messages)} of mail (${num(r.unclassified)} msgs)`;
    const why = ' (their sources are not classified: add the domain to [[domains]])';
    if (p === 'reject') return `at ${tag}=reject, ${share} fails DMARC and is refused where receivers apply the policy${why}`;
    if (p === 'quarantine') return `${tag}=reject would bounce ${share}, now sent to spam${why}`;
    return `${tag}=quarantine would send ${share} to spam; ${tag}=reject would bounce it${why}`;
  }
  const spoofed = r.spoof === 0 ? 'no spoofed mail' : `${num(r.spoof)} spoofed msgs (${percent(r.spoof, r.messages)} of mail)`;
  const by = [
    r.ours > 0 ? `${num(r.ours)} from our own sources` : null,
    r.services > 0 ? `${num(r.services)} from our services` : null,
    r.forwarded > 0 ? `${num(r.forwarded)} forwarded` : null,
  ].filter((x) => x !== null);
  const hurt = legitimate === 0 ? 'no legitimate mail' : `${num(legitimate)} legitimate msgs (${percent(legitimate, r.messages)}: ${by.join(', ')})`;
  const rest = r.unclassified === 0 ? '' : `; ${num(r.unclassified)} more failing msgs (${percent(r.unclassified, r.messages)}) come from unclassified sources`;
  if (p === 'reject') return `at ${tag}=reject, receivers refuse ${spoofed} and ${hurt}${rest}`;
  if (p === 'quarantine') return `${tag}=reject would bounce, rather than send to spam, ${spoofed} and ${hurt}${rest}`;
  return `${tag}=quarantine or ${tag}=reject would stop ${spoofed} and hurt ${hurt}${rest}`;
}

/** Whether what a reporter saw differs from what we publish (a stale cache, a second record). */
export const differs = (a: PolicyTags, b: PolicyTags): boolean =>
  a.p !== b.p || (a.sp ?? a.p) !== (b.sp ?? b.p) || (a.pct ?? 100) !== (b.pct ?? 100) || (a.testing ?? 'n') !== (b.testing ?? 'n');

export const periodText = (s: Summary): string => `${isoDay(s.period.begin)} .. ${isoDay(s.period.end - 1)} (UTC)`;

/** Said under the period of `--period all`, where no change is shown: there is nothing before. */
export const comparisonNote = (s: Summary): string | null => (s.previous === null ? 'all stored reports, no previous period to compare with' : null);

/** How many days the period an empty summary suggests covers: a week, like the default. */
const SUGGESTED_DAYS = 7;

/**
 * What an empty summary says (issue 12 #15: the first summary after `npm start` asks for last
 * week, and the demo data is older): which period was empty, when the latest stored report ends
 * and the period to ask for instead.
 */
export function emptyText(s: Summary): string {
  const where = s.previous === null ? 'No reports stored' : `No reports in ${s.period.label} (${isoDay(s.period.begin)} .. ${isoDay(s.period.end - 1)} UTC)`;
  const latest = s.latestReportEnd;
  if (latest === null) return `${where}. Nothing is stored for these domains yet: ruaflow ingest PATH or ruaflow poll stores reports.`;
  return `${where}. The latest report ends ${isoDay(latest)}: try --period ${daysEndingWith(latest, SUGGESTED_DAYS)} or --period all.`;
}

export const isWeekly = (s: Summary): boolean => s.period.label === 'last-week';

/** `DMARC weekly: example.com 12,345 msgs, 97.8% pass (−0.4) · 2 problems` */
export function subjectOf(s: Summary): string {
  const head = isWeekly(s) ? 'DMARC weekly' : `DMARC summary ${isoDay(s.period.begin)}..${isoDay(s.period.end - 1)}`;
  const shown = s.domains.slice(0, 3).map((d) => {
    if (d.messages === 0) return `${d.domain} no reports`;
    const change = passChange(d);
    return `${d.domain} ${num(d.messages)} msgs, ${percent(d.dmarcPass, d.messages)} pass${change === null ? '' : ` (${change})`}`;
  });
  const more = s.domains.length > 3 ? `; +${s.domains.length - 3} more` : '';
  const count = s.domains.reduce((n, d) => n + problems(d), 0);
  const tail = count === 0 ? 'no problems' : `${count} problem${count === 1 ? '' : 's'}`;
  return `${head}: ${shown.length === 0 ? 'no domains' : shown.join('; ')}${more} · ${tail}`;
}

/** Nothing was reported for any domain in the period. */
export const isEmpty = (s: Summary): boolean => s.domains.every((d) => d.messages === 0 && d.reporters.length === 0);
