/**
 * One verification under a deadline, as `ruaflow verify` and `ruaflow serve` both run it
 * (`[serve] verify_timeout_ms`, ServeLimits in src/limits.ts): each DNS query is bounded by
 * `[dns] timeout_ms`, but a message can need a chain of them, so the whole is bounded too.
 *
 * At the deadline the verification is abandoned: its signal aborts first, so from that moment
 * verifyMessage can no longer record (it checks the signal after its last await, right before
 * the insert), and its resolver fails every query — those it waits on and any it would start —
 * so it winds down instead of waiting out DNS timeouts. Either the evaluation is recorded and
 * returned, or the answer is "timed out" and nothing is recorded, now or later.
 */
import type { DnsResolver } from '../ports/dns.js';
import type { Envelope, Evaluation } from '../receiver/types.js';
import { verifyMessage, type VerifyDeps } from './verify-message.js';

/** The reason a timed-out verification is aborted with; `ECANCELLED` is what c-ares calls a
 * query cancelled by its caller, and mailauth treats an unknown DNS error code as temperror. */
export const timedOut = (ms: number): Error => Object.assign(new Error(`verification timed out after ${ms} ms`), { code: 'ECANCELLED' });

/** The resolver for one verification: once `signal` aborts, every query fails at once.
 * One abort listener per verification, not one per query: a message asks several names and
 * EventTarget listeners cost more than a Set (bench --only=serve). */
export function cutOff(resolver: DnsResolver, signal: AbortSignal): DnsResolver {
  const waiting = new Set<(error: Error) => void>();
  signal.addEventListener(
    'abort',
    () => {
      for (const reject of waiting) reject(signal.reason as Error);
      waiting.clear();
    },
    { once: true },
  );
  return (name, rrtype) => {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise((resolve, reject) => {
      waiting.add(reject);
      resolver(name, rrtype).then(
        (records) => {
          waiting.delete(reject);
          resolve(records);
        },
        (error: unknown) => {
          waiting.delete(reject);
          reject(error as Error);
        },
      );
    });
  };
}

export type DeadlineOutcome = { readonly kind: 'done'; readonly evaluation: Evaluation; readonly id: number | null } | { readonly kind: 'timeout' };

/** verifyMessage within `timeoutMs`; on timeout nothing is logged per signature or recorded. */
export async function verifyWithin(deps: VerifyDeps, message: Buffer, envelope: Envelope, timeoutMs: number): Promise<DeadlineOutcome> {
  const controller = new AbortController();
  const work = verifyMessage({ ...deps, resolver: cutOff(deps.resolver, controller.signal) }, message, envelope, controller.signal);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      // The abort first, in the timer itself (see above).
      controller.abort(timedOut(timeoutMs));
      resolve('timeout');
    }, timeoutMs);
  });
  try {
    const first = await Promise.race([work, deadline]);
    if (first === 'timeout') {
      // The abandoned verification rejects at its next step; nothing waits for it.
      work.catch(() => undefined);
      return { kind: 'timeout' };
    }
    return { kind: 'done', ...first };
  } finally {
    clearTimeout(timer);
  }
}
