/** Organisational domains (RFC 7489 §3.2), through mailauth's PSL-backed alignment helper. */
import { getAlignment } from 'mailauth/lib/tools.js';

/** Whether two names share an organisational domain (relaxed alignment, RFC 7489 §3.1). */
export const sameOrganisation = (a: string, b: string): boolean => getAlignment(a, [{ domain: b }], false) !== false;

/** The organisational domain of a name: its shortest parent that still shares the name's
 * organisational domain (`mail.example.co.uk` → `example.co.uk`). */
export function organisationalDomain(name: string): string {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.');
  for (let i = labels.length - 2; i >= 0; i--) {
    const candidate = labels.slice(i).join('.');
    if (sameOrganisation(name, candidate)) return candidate;
  }
  return labels.join('.');
}
