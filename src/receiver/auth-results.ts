/**
 * The Authentication-Results header field (RFC 8601) for one evaluation (pure). Methods in the
 * order they were checked: spf, one dkim per signature (dkim=none when unsigned), dmarc, arc.
 * Each result carries a reason= for what is not pass and the registered properties:
 * smtp.mailfrom / smtp.helo (§2.7.2), header.d header.i header.s header.a header.b (§2.7.1),
 * header.from for dmarc (RFC 9989 §9.1), plus polrec.p / polrec.domain for the policy record.
 */
import type { AuthOutcome, DmarcApplication } from './types.js';

/** RFC 2045 token characters: a value made of them needs no quotes. */
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;
/** RFC 8601 §2.2 pvalue: [local-part "@"] domain-name, written as is. */
const PVALUE = /^(?:[!#$%&'*+\-/=?^_`{|}~.0-9A-Za-z]*@)?[0-9A-Za-z_](?:[0-9A-Za-z_.-]*[0-9A-Za-z_])?$/;

const quoted = (v: string): string => `"${v.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ')}"`;
const value = (v: string): string => (TOKEN.test(v) ? v : quoted(v));
const pvalue = (v: string): string => (PVALUE.test(v) ? v : quoted(v));
/** RFC 5322 §3.2.2 comment text: parentheses and backslashes escaped, one line. */
const comment = (text: string): string => `(${text.replace(/[\\()]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ')})`;

/** The authserv-id (RFC 8601 §2.5): a value — a host or domain name in practice. */
const authservIdValue = (id: string): string => value(id);

export function authenticationResults(authservId: string, auth: AuthOutcome, policy: DmarcApplication): string {
  const parts: string[] = [];
  const { spf, dmarc, arc } = auth;

  const spfProp = spf.scope === 'helo' ? `smtp.helo=${pvalue(spf.domain)}` : `smtp.mailfrom=${pvalue(auth.envelope.mailFrom)}`;
  parts.push(join(`spf=${spf.result}`, spf.result !== 'pass' && spf.comment !== null ? `reason=${quoted(spf.comment)}` : null, spfProp));

  if (auth.dkim.length === 0) parts.push(join('dkim=none', comment('message not signed')));
  for (const [i, s] of auth.dkim.entries()) {
    const key = s.bits !== null ? `${s.bits}-bit key` : null;
    parts.push(
      join(
        `dkim=${s.result}`,
        s.result !== 'pass' && s.reason !== null ? `reason=${quoted(s.reason)}` : null,
        key !== null || s.aligned ? comment([key, s.aligned ? 'aligned' : null].filter((x) => x !== null).join('; ')) : null,
        `header.d=${pvalue(s.domain)}`,
        s.identity !== null ? `header.i=${pvalue(s.identity)}` : null,
        `header.s=${pvalue(s.selector)}`,
        s.algorithm !== null ? `header.a=${value(s.algorithm)}` : null,
        s.b !== null ? `header.b=${value(s.b)}` : null,
        // RFC 6376 §6.1: signatures past our limit were not verified; the last dkim result says so.
        i === auth.dkim.length - 1 && auth.dkimUnchecked > 0
          ? comment(`${auth.dkimUnchecked} more DKIM signature${auth.dkimUnchecked === 1 ? '' : 's'} not checked: [limits] max_dkim_signatures is ${auth.dkim.length}`)
          : null,
      ),
    );
  }

  const policyComment =
    dmarc.published === null
      ? null
      : comment(
          [
            policy.requested !== null ? `${policy.tag ?? 'p'}=${policy.requested.toUpperCase()}` : null,
            policy.applied !== null && policy.applied !== policy.requested ? `applied=${policy.applied.toUpperCase()}` : null,
          ]
            .filter((x) => x !== null)
            .join(' '),
        );
  parts.push(
    join(
      `dmarc=${dmarc.result}`,
      dmarc.result !== 'pass' && dmarc.comment !== null ? `reason=${quoted(dmarc.comment)}` : null,
      policyComment === '()' ? null : policyComment,
      dmarc.authorDomain !== null ? `header.from=${pvalue(dmarc.authorDomain)}` : null,
      dmarc.published?.p != null ? `polrec.p=${dmarc.published.p}` : null,
      dmarc.policyDomain !== null && dmarc.policyDomain !== dmarc.authorDomain ? `polrec.domain=${pvalue(dmarc.policyDomain)}` : null,
    ),
  );

  parts.push(join(`arc=${arc.result}`, arc.comment !== null ? comment(arc.comment) : null, arc.sealer !== null ? `header.d=${pvalue(arc.sealer)}` : null));

  return `Authentication-Results: ${authservIdValue(authservId)}; ${parts.join('; ')}`;
}

const join = (...items: readonly (string | null)[]): string => items.filter((x) => x !== null && x !== '').join(' ');

/** Folds a one-line header field after each `;` (RFC 5322 §2.2.3), for a person or an MTA. */
export function foldHeader(line: string, newline = '\n'): string {
  // Only semicolons outside quoted strings and comments separate resinfo.
  let out = '';
  let quote = false;
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    out += c;
    if (c === '\\') {
      out += line.charAt(++i);
      continue;
    }
    if (c === '"' && depth === 0) quote = !quote;
    else if (!quote && c === '(') depth++;
    else if (!quote && c === ')') depth = Math.max(0, depth - 1);
    else if (!quote && depth === 0 && c === ';' && line.charAt(i + 1) === ' ') {
      out += `${newline}\t`;
      i++;
    }
  }
  return out;
}
