/**
 * The decompression budget: every byte a gzip or zip layer produces is counted here as it is
 * produced, so a gzip or zip bomb is stopped after `max_decompressed_bytes` of output,
 * never after building that output. One budget is shared by all documents of one input: a zip
 * with sixteen members, each just under the cap, is still one input over it.
 */
import { LimitExceededError } from '../errors.js';
import { LIMIT_SETTINGS, type Limits } from '../limits.js';

export interface DecompressionBudget {
  used: number;
}

/** Everything a decompression step needs: the caps and the shared running total. */
export interface ExtractContext {
  readonly limits: Limits;
  readonly budget: DecompressionBudget;
}

/** Count `bytes` of output produced for `label`; throws once the input's total passes the cap. */
export function charge(context: ExtractContext, bytes: number, label: string): void {
  context.budget.used += bytes;
  const cap = context.limits.maxDecompressedBytes;
  if (context.budget.used > cap) {
    throw new LimitExceededError(LIMIT_SETTINGS.maxDecompressedBytes, cap, `decompressed data of ${label}`);
  }
}
