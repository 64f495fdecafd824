/** Organisational domains (RFC 7489 §3.2) for alignment, through mailauth's PSL-backed helper.
 * Which DMARC record applies is found by RFC 9989's tree walk instead (discovery.ts). */
import { getAlignment } from 'mailauth/lib/tools.js';

/** Whether two names share an organisational domain (relaxed alignment, RFC 7489 §3.1). */
export const sameOrganisation = (a: string, b: string): boolean => getAlignment(a, [{ domain: b }], false) !== false;
