/**
 * A minimal source correlation used until the full one (the "Know our own setup" issue:
 * ours / service / forwarded / spoof classes with a fix per source) is wired in behind the same
 * `ClassOf` function. It knows only what the configuration says — our relays and our services'
 * IP ranges or PTR suffixes — and what the summary's own counts show; anything else is null.
 */
import ipaddr from 'ipaddr.js';
import type { DomainConfig } from '../../app/config.js';
import type { ClassOf, Correlation, SourceRow } from './types.js';

export function basicClassOf(
  domains: readonly DomainConfig[],
  rows: readonly SourceRow[],
  names: ReadonlyMap<string, string | null>,
): ClassOf {
  const config = new Map(domains.map((d) => [d.name, d]));
  const stats = new Map<string, { messages: number; pass: number; dkim: number; spf: number }>();
  for (const r of rows) {
    if (!config.has(r.domain)) continue;
    const key = `${r.domain} ${r.ip}`;
    const s = stats.get(key) ?? { messages: 0, pass: 0, dkim: 0, spf: 0 };
    s.messages += r.messages;
    s.pass += r.dmarcPass;
    s.dkim += r.dkimPass;
    s.spf += r.spfPass;
    stats.set(key, s);
  }
  return (domain, ip): Correlation | null => {
    const d = config.get(domain);
    const s = stats.get(`${domain} ${ip}`);
    if (d === undefined || s === undefined) return null;
    if (d.relays.some((r) => inRange(ip, r))) {
      if (s.dkim < s.messages) return { class: 'ours-dkim-fail', fix: `sign ${domain} mail on ${ip} with our DKIM key (d=${domain}); check the selector's DNS record` };
      if (s.spf < s.messages) return { class: 'ours-spf-fail', fix: `add ${ip.includes(':') ? 'ip6' : 'ip4'}:${ip} to the SPF record of ${domain}` };
      return { class: 'ours-pass', fix: '' };
    }
    const ptr = names.get(ip) ?? null;
    const service = d.services.find(
      (v) => v.ips.some((r) => inRange(ip, r)) || (ptr !== null && v.ptr.some((p) => ptr === p || ptr.endsWith(`.${p}`))),
    );
    if (service !== undefined) {
      if (s.pass < s.messages) {
        return { class: 'service-fail', fix: `set up DKIM for ${service.name} with d=${domain} (or a custom return path under ${domain})` };
      }
      return { class: 'service-pass', fix: '' };
    }
    return null;
  };
}

function inRange(ip: string, range: string): boolean {
  try {
    const a = ipaddr.parse(ip);
    const [net, bits] = range.includes('/') ? ipaddr.parseCIDR(range) : [ipaddr.parse(range), a.kind() === 'ipv4' ? 32 : 128];
    return a.kind() === net.kind() && a.match([net, bits] as never);
  } catch {
    return false;
  }
}
