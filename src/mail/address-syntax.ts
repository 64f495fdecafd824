/** The syntax of the names and addresses we accept in settings and arguments. */

/** A DNS name as it appears in mail: letters, digits, hyphens, and underscores (DKIM selectors and
 * `_dmarc` labels carry them, so we accept them where a strict host-name rule would not). */
export const DOMAIN_NAME = /^(?=.{1,253}$)(?:(?!-)[a-z0-9_-]{1,63}(?<!-)\.)*(?!-)[a-z0-9_-]{1,63}(?<!-)$/i;

/** An address as written in `From:`/`To:` settings; deliberately loose (the SMTP server decides). */
const MAILBOX = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;

export const isMailbox = (s: string): boolean => MAILBOX.test(s);

/** A domain as the user typed it (an option, an address), the way configuration holds it:
 * lower-case, no final dot. */
export const normalizeDomain = (text: string): string => text.trim().toLowerCase().replace(/\.$/, '');
