/** Code blocks of the README, so that tests run its snippets exactly as printed. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** The first fenced block of language `lang` ('' for a plain ```) after `heading`'s first
 * occurrence; a missing heading or block fails the test. */
export function readmeBlock(heading: string, lang = ''): string {
  const text = readFileSync(README, 'utf8');
  const at = text.indexOf(heading);
  assert.ok(at >= 0, `the README has ${heading}`);
  // Fenced blocks in order (an opening fence, its body, a closing fence alone on its line).
  const blocks = [...text.slice(at).matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)];
  const body = blocks.find((b) => b[1] === lang)?.[2];
  assert.ok(body !== undefined && body.trim() !== '', `a ${lang || 'plain'} code block after ${heading}`);
  return body;
}
