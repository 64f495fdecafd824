/** Reads a message to verify from a file or stdin, never more than `[limits] max_message_bytes`. */
import { createReadStream } from 'node:fs';
import { IoError, LimitExceededError, MalformedInputError } from '../errors.js';
import type { Limits } from '../limits.js';
import { LIMIT_SETTINGS } from '../limits.js';
import { describeFsError } from './fs-errors.js';

export async function readMessage(path: string, limits: Limits): Promise<Buffer> {
  const label = path === '-' ? 'stdin' : path;
  const stream = path === '-' ? process.stdin : createReadStream(path);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limits.maxMessageBytes) {
        stream.destroy();
        throw new LimitExceededError(LIMIT_SETTINGS.maxMessageBytes, limits.maxMessageBytes, `${label}: the message`);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof LimitExceededError) throw error;
    throw new IoError(`${label}: cannot read the message: ${describeFsError(error)}`, { cause: error });
  }
  if (size === 0) throw new MalformedInputError(`${label}: the message is empty`);
  return Buffer.concat(chunks, size);
}
