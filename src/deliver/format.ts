/** How numbers and days are written in everything ruaflow prints (pure). */

/** `2026-11-23` (UTC) of epoch seconds. */
export const day = (epoch: number): string => new Date(epoch * 1000).toISOString().slice(0, 10);

/** `12,345`. */
export const num = (n: number): string => n.toLocaleString('en-US');
