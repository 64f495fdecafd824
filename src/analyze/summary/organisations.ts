/**
 * Who runs a source: the user's own `services` (by IP range, then by PTR-name suffix), then the
 * built-in map of major services by the base domain of the forward-confirmed PTR name, then the
 * base domain itself. The base domain is the registrable domain of the Public Suffix List, via
 * tldts (the PSL library mailauth already uses for DMARC alignment).
 */
import ipaddr from 'ipaddr.js';
import { getDomain } from 'tldts';
import type { ServiceConfig } from '../../app/config.js';
import { BUILTIN_SERVICES } from './service-map.js';

export interface Organisation {
  readonly name: string;
  readonly kind: 'service' | 'domain';
}

export type NameOrganisation = (ip: string, ptr: string | null) => Organisation | null;

/** A namer for one policy domain's configured services. */
export function organisationNamer(services: readonly ServiceConfig[]): NameOrganisation {
  const ranges = services.flatMap((s) => s.ips.map((r) => ({ name: s.name, range: parseRange(r) })));
  return (ip, ptr) => {
    const address = ranges.length === 0 ? null : parseAddress(ip);
    if (address !== null) {
      for (const { name, range } of ranges) {
        if (range !== null && address.kind() === range[0].kind() && address.match(range)) return { name, kind: 'service' };
      }
    }
    if (ptr === null) return null;
    const host = ptr.toLowerCase().replace(/\.$/, '');
    for (const s of services) {
      if (s.ptr.some((suffix) => host === suffix || host.endsWith(`.${suffix}`))) return { name: s.name, kind: 'service' };
    }
    const base = getDomain(host, { allowPrivateDomains: false });
    if (base === null) return null;
    // A few services are known by a longer name than their base domain (mail.ovh.net).
    for (let d = host; d.length >= base.length; d = d.slice(d.indexOf('.') + 1)) {
      const named = BUILTIN_SERVICES.get(d);
      if (named !== undefined) return { name: named, kind: 'service' };
      if (!d.includes('.')) break;
    }
    return { name: base, kind: 'domain' };
  };
}

function parseAddress(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  try {
    const a = ipaddr.parse(ip);
    return a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
  } catch {
    return null;
  }
}

function parseRange(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | null {
  try {
    if (text.includes('/')) return ipaddr.parseCIDR(text);
    const a = ipaddr.parse(text);
    return [a, a.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return null;
  }
}
