/**
 * One input to ingest, whatever it came from: a file, one message of an mbox, (later) a mailbox
 * message. The bytes are read on demand, so a walk over a large tree or a 1 GB mbox holds one
 * input in memory at a time.
 */
import type { ByteSource } from '../extract/source.js';

export interface InputItem {
  /** Stable identity for the input ledger: the absolute file path, or `${absPath}#${byteOffset}`
   * for an mbox message (the offset of its `From ` line). */
  readonly key: string;
  /** What a user recognises in messages: the path as given (`reports/a.xml`), or
   * `reports/box.mbox message 3`. */
  readonly label: string;
  /** Bytes, as stored (an mbox message before `>From ` un-quoting). */
  readonly size: number;
  /** When this input is one of several in a file (an mbox message): that file's key and the
   * message's 1-based position. Lets a progress display count files rather than messages. */
  readonly container?: InputContainer;
  /** The input's bytes. Throws IoError when the file can no longer be read, LimitExceededError
   * when it has grown past its cap since the walk. */
  read(): Promise<Uint8Array>;
  /** A large file's bytes read from disk piece by piece as they are consumed, instead of read():
   * each `open()` reads the file again from the start. Reading throws IoError when the file can
   * no longer be read, LimitExceededError when it has grown past its cap. */
  readonly stream?: () => ByteSource;
}

export interface InputContainer {
  readonly key: string;
  readonly index: number;
}

/** An input that could not be offered: a missing path, an unreadable file, a file over its cap.
 * Reported with its reason, and the walk goes on. */
export interface InputProblem {
  readonly kind: 'problem';
  readonly key: string;
  readonly label: string;
  readonly reason: string;
  readonly container?: InputContainer;
}

export const isInputProblem = (x: InputItem | InputProblem): x is InputProblem => 'kind' in x && x.kind === 'problem';
