/**
 * The `rua` tag of a DMARC record → the mailto destinations we may send aggregate reports to
 * (pure).
 *
 * RFC 7489 §6.2/§6.3: a comma-separated list of URIs, each optionally followed by `!size` with a
 * unit k/m/g/t (powers of two: `!10m` = 10·2^20 bytes); commas and `!` inside a URI are written
 * `%2C` / `%21`. RFC 9990 §3 ("rua"): malformed URIs SHOULD be ignored, only `mailto:` is defined
 * for aggregate reports, and the size suffix is obsolete syntax a generator ignores — the caller
 * decides whether to honour `maxBytes` (RFC 7489 mode only). A receiver MAY limit how many URIs
 * it uses (RFC 7489 §6.2): the first `maxUris` usable ones, in the published order.
 */

export interface RuaDestination {
  /** The URI as published (trimmed), without its size suffix. */
  readonly uri: string;
  /** `local@host`, %-decoded, host lower-cased. */
  readonly address: string;
  /** The host part, lower-cased, without a trailing dot. */
  readonly host: string;
  /** The `!size` limit in bytes, or null when none was given. */
  readonly maxBytes: number | null;
}

export interface IgnoredUri {
  readonly uri: string;
  readonly reason: string;
}

export interface RuaList {
  readonly destinations: readonly RuaDestination[];
  readonly ignored: readonly IgnoredUri[];
}

const UNITS: Readonly<Record<string, number>> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** A host name as DNS allows it in mail (letters, digits, hyphens; underscores tolerated). */
const HOST = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
/** The local part: dot-atom or anything printable without spaces, brackets or further `@`. */
const LOCAL = /^[^\s@<>()[\]\\,;:"]{1,64}$/;

export function parseRua(rua: string | null, maxUris: number): RuaList {
  const destinations: RuaDestination[] = [];
  const ignored: IgnoredUri[] = [];
  if (rua === null) return { destinations, ignored };
  const seen = new Set<string>();
  for (const raw of rua.split(',')) {
    const text = raw.trim();
    if (text === '') continue;
    const parsed = parseOne(text);
    if ('reason' in parsed) {
      ignored.push(parsed);
    } else if (seen.has(parsed.address.toLowerCase())) {
      ignored.push({ uri: text, reason: 'listed twice' });
    } else if (destinations.length >= maxUris) {
      ignored.push({ uri: text, reason: `more than ${maxUris} rua URI${maxUris === 1 ? '' : 's'} (raise [outbound] max_rua_uris)` });
    } else {
      seen.add(parsed.address.toLowerCase());
      destinations.push(parsed);
    }
  }
  return { destinations, ignored };
}

/** One rua URI as written, read without judging it: the size suffix, the mailto address (hfields
 * dropped, RFC 6068 §2), and whether a %-escape was broken (the address is then kept as written).
 * `parseRua` refuses what a sender must not use; `ruaflow check` reports it. */
export interface MailtoUri extends RuaDestination {
  readonly brokenEscape: boolean;
}

export function readMailtoUri(text: string): MailtoUri | IgnoredUri {
  // The size suffix: the last `!` followed by digits and an optional unit, at the very end.
  const sized = /^(.*)!(\d{1,15})([kmgt]?)$/i.exec(text);
  const uri = sized?.[1] ?? text;
  const maxBytes = sized ? Number(sized[2]) * (UNITS[(sized[3] ?? '').toLowerCase()] ?? 1) : null;
  if (uri.includes('!')) return { uri: text, reason: 'a "!" that is not a size suffix (it must be written %21)' };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) return { uri: text, reason: 'not a URI' };
  if (scheme !== 'mailto') return { uri: text, reason: `${scheme}: URIs are not supported (mailto only)` };
  // mailto: hfields (`?subject=…`) do not change the address (RFC 6068 §2); we set our own.
  const body = uri.slice('mailto:'.length).split('?')[0] ?? '';
  let address = body.trim();
  let brokenEscape = false;
  try {
    address = decodeURIComponent(body).trim();
  } catch {
    brokenEscape = true;
  }
  if (address.includes(',')) return { uri: text, reason: 'more than one address in one mailto URI' };
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const host = address.slice(at + 1).toLowerCase().replace(/\.$/, '');
  if (at <= 0 || !LOCAL.test(local) || !HOST.test(host)) return { uri: text, reason: `"${address}" is not an email address` };
  return { uri, address: `${local}@${host}`, host, maxBytes, brokenEscape };
}

function parseOne(text: string): RuaDestination | IgnoredUri {
  const read = readMailtoUri(text);
  if ('reason' in read) return read;
  if (read.brokenEscape) return { uri: text, reason: 'a broken %-escape' };
  if (read.maxBytes === 0) return { uri: text, reason: 'a size limit of 0' };
  return { uri: read.uri, address: read.address, host: read.host, maxBytes: read.maxBytes };
}
