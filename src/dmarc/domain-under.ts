/**
 * Domain containment by labels, with no PSL: kept apart from org-domain.ts so that what
 * only needs this (summary, sources, the classifier) does not load mailauth and its PSL and
 * validation libraries at start-up (about 0.2 s).
 */

/** `a.b.example.com` is at or under `example.com` (names already lower-cased). */
export const isUnder = (name: string, parent: string): boolean => name === parent || name.endsWith(`.${parent}`);
