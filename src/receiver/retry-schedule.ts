/**
 * When a deferred delivery is tried again (pure). A 4xx reply, an unreachable relay or a DNS
 * temperror keeps the report (a report is never deleted unsent) and schedules
 * the next attempt: 15 min, 1 h, 4 h, 12 h, then every 24 h — until `give_up_after_days` after
 * the report was built, when the delivery is recorded as expired.
 */
import { DAY } from '../report/period.js';

import { DELIVERY_RETRY_SECONDS as BACKOFF_SECONDS } from '../limits.js';

/** The delay before attempt number `attempts + 1`, after `attempts` failed ones (≥ 1). */
export function backoffAfter(attempts: number): number {
  return BACKOFF_SECONDS[Math.min(Math.max(attempts, 1), BACKOFF_SECONDS.length) - 1] ?? 24 * 60 * 60;
}

export type RetryPlan = { readonly kind: 'retry'; readonly at: number } | { readonly kind: 'expired' };

export function planRetry(attempts: number, now: number, builtAt: number, giveUpAfterDays: number): RetryPlan {
  const at = now + backoffAfter(attempts);
  return at > builtAt + giveUpAfterDays * DAY ? { kind: 'expired' } : { kind: 'retry', at };
}
