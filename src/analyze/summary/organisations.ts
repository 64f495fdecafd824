/**
 * Who runs a source: the user's own `services` (by IP range, then by PTR-name suffix), then the
 * built-in map of major services by the base domain of the forward-confirmed PTR name, then the
 * base domain itself. The base domain is the registrable domain of the Public Suffix List, via
 * tldts (the PSL library mailauth already uses for DMARC alignment).
 */
import { getDomain } from 'tldts';
import type { ServiceConfig } from '../../types/config.js';
import { serviceByOrigin, serviceProfile } from '../correlate/profile.js';
import { BUILTIN_SERVICES } from './service-map.js';

export interface Organisation {
  readonly name: string;
  readonly kind: 'service' | 'domain';
}

export type NameOrganisation = (ip: string, ptr: string | null) => Organisation | null;

/** A namer for one policy domain's configured services, matched by the source classifier's own
 * origin match (correlate/profile.ts serviceByOrigin: IP ranges, then PTR-name suffixes). */
export function organisationNamer(services: readonly ServiceConfig[]): NameOrganisation {
  const profiles = services.map(serviceProfile);
  return (ip, ptr) => {
    const match = serviceByOrigin(ip, ptr, profiles);
    if (match !== null) return { name: match.service.name, kind: 'service' };
    if (ptr === null) return null;
    const host = ptr.toLowerCase().replace(/\.$/, '');
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
