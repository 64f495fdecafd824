/**
 * The verify use case, shared by `ruaflow verify` and `ruaflow serve`: authenticate (mailauth
 * through the DNS port), pick the DMARC policy, apply ours, write Authentication-Results, log one
 * line per DKIM signature (seed 003) and record the evaluation.
 */
import { authenticationResults } from '../receiver/auth-results.js';
import { applyDmarcPolicy } from '../receiver/dmarc-policy.js';
import { decide, type ReceiverPolicy } from '../receiver/local-policy.js';
import { evaluationRow } from '../receiver/record.js';
import type { Envelope, Evaluation } from '../receiver/types.js';
import { authenticateMessage } from '../receiver/verify.js';
import type { Clock } from '../ports/clock.js';
import type { DnsResolver } from '../ports/dns.js';
import type { Logger } from '../ports/logger.js';
import type { EvaluationRow } from '../store/evaluations.js';

export interface VerifyDeps {
  readonly resolver: DnsResolver;
  readonly policy: ReceiverPolicy;
  readonly authservId: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** null: do not record (`--no-record`). */
  readonly store: { insert(row: EvaluationRow): number } | null;
  /** A number in [0, 100) for pct sampling (RFC 7489 §6.6.4). */
  readonly sample: () => number;
  /** `[limits] max_dkim_signatures` (DEFAULT_LIMITS when left out). */
  readonly maxDkimSignatures?: number;
}

/** `signal`: once aborted (`ruaflow serve` gave up waiting and answered with an error), the
 * evaluation is neither logged nor recorded; the call rejects with the signal's reason. */
export async function verifyMessage(deps: VerifyDeps, message: Buffer, envelope: Envelope, signal?: AbortSignal): Promise<{ evaluation: Evaluation; id: number | null }> {
  const auth = await authenticateMessage(message, envelope, {
    resolver: deps.resolver,
    authservId: deps.authservId,
    ...(deps.maxDkimSignatures !== undefined ? { maxDkimSignatures: deps.maxDkimSignatures } : {}),
  });
  // The last await: from here to the insert nothing yields, so the check cannot go stale.
  signal?.throwIfAborted();
  const dmarcPolicy = applyDmarcPolicy(auth.dmarc, deps.sample());
  const verdict = decide(auth, dmarcPolicy, deps.policy);
  const evaluation: Evaluation = {
    evaluatedAt: deps.clock.now(),
    auth,
    dmarcPolicy,
    verdict,
    authservId: deps.authservId,
    authenticationResults: authenticationResults(deps.authservId, auth, dmarcPolicy),
  };

  // Seed 003 (Exim dkim_verbose): one line per signature.
  for (const s of auth.dkim) {
    deps.log.info('dkim', {
      status: s.status,
      result: s.result,
      reason: s.reason,
      host: envelope.ip,
      helo: envelope.helo,
      sender: envelope.mailFrom,
      domain: s.domain,
      identity: s.identity,
      selector: s.selector,
      algorithm: s.algorithm,
      bits: s.bits,
      aligned: s.aligned,
    });
  }
  const id = deps.store === null ? null : deps.store.insert(evaluationRow(evaluation));
  deps.log.info('verify', {
    id,
    host: envelope.ip,
    sender: envelope.mailFrom,
    from: auth.headerFrom,
    spf: auth.spf.result,
    dkim: auth.dkim.length === 0 ? 'none' : auth.dkim.map((s) => `${s.domain}:${s.result}`).join(','),
    ...(auth.dkimUnchecked > 0 ? { dkim_unchecked: auth.dkimUnchecked } : {}),
    dmarc: auth.dmarc.result,
    policy: dmarcPolicy.applied,
    arc: auth.arc.result,
    decision: verdict.decision,
    reason: verdict.reasons.join('; '),
  });
  return { evaluation, id };
}
