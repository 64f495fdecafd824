/**
 * What `ruaflow check` says about one of our domains: a list of checks, each pass / warn / fail
 * with a concrete fix.
 *
 * Glossary:
 * - check: one named test of our published DNS or signing setup (`dmarc.record`, `spf.relay`,
 *   `dkim.key_match`; docs/sources-and-check.md "Checking our own setup" lists them all).
 * - status: `pass` (nothing to do), `warn` (works, but a receiver may treat it worse than
 *   intended, or we cannot tell), `fail` (broken: mail or reports are at risk). A DNS temporary
 *   error is a `fail` whose detail says to retry: we could not prove the setup works.
 * - fix: what to publish or change, ready to paste where possible; null when there is nothing
 *   to do.
 */

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  readonly check: string;
  readonly status: CheckStatus;
  readonly detail: string;
  readonly fix: string | null;
}

export interface DomainChecks {
  readonly domain: string;
  readonly checks: readonly CheckResult[];
}

export const pass = (check: string, detail: string): CheckResult => ({ check, status: 'pass', detail, fix: null });
export const warn = (check: string, detail: string, fix: string | null = null): CheckResult => ({ check, status: 'warn', detail, fix });
export const fail = (check: string, detail: string, fix: string | null = null): CheckResult => ({ check, status: 'fail', detail, fix });

/** A DNS lookup that could not be completed is never a pass, and never a crash. */
export const temperror = (check: string, name: string, code: string): CheckResult =>
  fail(check, `DNS temperror looking up ${name} (${code}); retry`, 'check the DNS servers ([dns] servers or the system resolver) and run ruaflow check again');

export const hasFailure = (checks: readonly CheckResult[]): boolean => checks.some((c) => c.status === 'fail');
