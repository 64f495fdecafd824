/** A From setting (`Name <a@example.com>`) read as an address or a domain. Kept apart from
 * dkim-sign.ts so that what only reads the setting does not load mailauth's signer. */

/** The address of a From setting: `Name <a@example.com>` → `a@example.com`. */
export const fromAddress = (from: string): string => (/<([^<>]+)>\s*$/.exec(from)?.[1] ?? from).trim();

/** The domain of a From setting: `Name <a@example.com>` → `example.com`. */
export function fromDomain(from: string): string {
  return (fromAddress(from).split('@').pop() ?? '').trim().toLowerCase();
}
