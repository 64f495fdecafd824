/**
 * The classifier's verdict on one record (src/analyze/correlate/classify.ts): the class, the
 * cause, and what was found and what to do as data. Words are deliver's
 * (src/deliver/source-verdict-text.ts); the class vocabulary is the store's
 * (src/store/source-classes.ts), where it is kept.
 */
import type { DkimFailCause, MatchedBy, SourceClass } from '../../store/source-classes.js';
import type { Finding } from './finding.js';
import type { Remedy } from './remedy.js';

export interface Classification {
  readonly class: SourceClass;
  /** For `ours-dkim-fail`: why. null otherwise. */
  readonly cause: DkimFailCause | null;
  /** The configured service the source was matched to, for `service-*`. */
  readonly service: string | null;
  /** How the source was recognised; null for an unknown source. */
  readonly matchedBy: MatchedBy | null;
  /** What the record shows, naming the selector, domain or override involved. */
  readonly finding: Finding;
  /** What to do about it. */
  readonly remedy: Remedy;
}
