/** Code blocks of the documentation (README.md and docs/*.md), so that tests run its snippets
 * exactly as printed. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A fenced block: its language ('' for a plain ```), its body, and where its fence starts. */
export interface FencedBlock {
  readonly lang: string;
  readonly body: string;
  readonly offset: number;
}

/** Fenced blocks in order (an opening fence, its body, a closing fence alone on its line). */
export function fencedBlocks(text: string): FencedBlock[] {
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1] ?? '', body: m[2] ?? '', offset: m.index }));
}

/** The text of `page`: `README.md`, or a page of docs/ by its file name (`verifying-mail.md`). */
export function docText(page: string): string {
  const path = page === 'README.md' ? page : `docs/${page}`;
  return readFileSync(new URL(path, new URL('../../', import.meta.url)), 'utf8');
}

/** The first fenced block of language `lang` ('' for a plain ```) after `heading`'s first
 * occurrence in `page`; a missing heading or block fails the test. */
export function docBlock(page: string, heading: string, lang = ''): string {
  const text = docText(page);
  const at = text.indexOf(heading);
  assert.ok(at >= 0, `${page} has ${heading}`);
  const body = fencedBlocks(text.slice(at)).find((b) => b.lang === lang)?.body;
  assert.ok(body !== undefined && body.trim() !== '', `a ${lang || 'plain'} code block after ${heading} in ${page}`);
  return body;
}
