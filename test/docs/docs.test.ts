/**
 * The documentation keeps its promises: every relative link in README.md and docs/*.md reaches a
 * file (and a heading, when it names one), the README's minimal configuration loads, and every
 * `sh` block that runs ruaflow over files shipped in the repository runs as printed — with the
 * real CLI (src/cli/main.ts), a database of its own, and, where a plain block follows it, exactly
 * that output.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { ruaflow } from '../helpers/cli.js';
import { docBlock, docText, fencedBlocks, ROOT } from '../helpers/doc-block.js';

const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort()];
/** Where a page lives, relative to the repository root. */
const pagePath = (page: string): string => (page === 'README.md' ? page : `docs/${page}`);

const scratch = mkdtempSync(join(tmpdir(), 'ruaflow-docs-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The text outside fenced blocks, with the blocks blanked (so offsets and lines stay put). */
function prose(text: string): string {
  return text.replace(/^```\w*\n[\s\S]*?^```$/gm, (block) => block.replace(/[^\n]/g, ' '));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; a repeated
 * heading gets -1, -2, … */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const m of prose(text).matchAll(/^#{1,6} +(.+?) *$/gm)) {
    const slug = (m[1] ?? '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    result.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return result;
}

/** Markdown links `[text](target)` in the prose, not in code. */
function links(text: string): string[] {
  const withoutCode = prose(text).replace(/`[^`\n]*`/g, (code) => ' '.repeat(code.length));
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '');
}

describe('links in README.md and docs/', () => {
  it('finds the pages and their links', () => {
    assert.ok(PAGES.length >= 10, `README.md and the docs pages: ${PAGES.join(', ')}`);
    assert.ok(links(docText('README.md')).filter((l) => l.startsWith('docs/')).length >= 9, 'the README links every page');
  });

  for (const page of PAGES) {
    it(`every relative link of ${pagePath(page)} reaches its file and heading`, () => {
      const from = dirname(join(ROOT, pagePath(page)));
      const broken: string[] = [];
      for (const link of links(docText(page))) {
        if (/^[a-z][a-z+.-]*:/i.test(link)) continue; // https:, mailto: — not ours to check offline
        const [file = '', anchor] = link.split('#');
        const target = file === '' ? join(ROOT, pagePath(page)) : resolve(from, file);
        if (!existsSync(target)) {
          broken.push(`${link}: no file ${target}`);
          continue;
        }
        if (anchor !== undefined && !anchors(readFileSync(target, 'utf8')).has(anchor)) broken.push(`${link}: no heading #${anchor}`);
      }
      assert.deepEqual(broken, []);
    });
  }

  it('the anchor rule is GitHub’s', () => {
    assert.deepEqual(
      [...anchors('# The verify service (`ruaflow serve`)\n## `[imap]`\n## Our domains: keys, relays and services\n## imap\n```\n# not a heading\n```\n')],
      ['the-verify-service-ruaflow-serve', 'imap', 'our-domains-keys-relays-and-services', 'imap-1'],
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Shell blocks

/** Split one shell line into words: quotes, backslash escapes and comments, nothing else. A word
 * with an operator, a redirection or an expansion makes the line one we do not run (null). */
function shellWords(line: string): string[] | null {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) return null;
      const inner = line.slice(i + 1, end);
      if (c === '"' && /[$`\\]/.test(inner)) return null;
      word = (word ?? '') + inner;
      i = end;
    } else if (c === '\\') {
      word = (word ?? '') + (line[i + 1] ?? '');
      i++;
    } else if (c === ' ' || c === '\t') {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === '#' && word === null) {
      break;
    } else if ('|&;<>$`(){}*?~'.includes(c)) {
      return null;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** One command of a block: the ruaflow arguments it stands for. */
interface Command {
  readonly text: string;
  readonly args: string[];
}

/** The commands of an `sh` block when it runs ruaflow over files of the repository, else null:
 * every line is `npm start` or `npx ruaflow …`, no file it reads is missing, and at least one is
 * a file or folder of the repository (`npm start` reads reports/inbox). */
function runnable(body: string): Command[] | null {
  const commands: Command[] = [];
  let shipped = false;
  for (const text of body.replace(/\\\n/g, ' ').split('\n')) {
    const words = shellWords(text);
    if (words === null) return null;
    if (words.length === 0) continue;
    if (words.join(' ') === 'npm start') {
      // The demo runs only without configuration (RUAFLOW_DB is configuration): its database is
      // named on the command line instead.
      commands.push({ text, args: ['run', '--db', 'ruaflow.sqlite'] });
      shipped = true;
      continue;
    }
    if (words[0] !== 'npx' || words[1] !== 'ruaflow') return null;
    const args = words.slice(2);
    for (const [i, arg] of args.entries()) {
      // What the command writes is not a file it reads.
      if (args[i - 1] === '--db' || args[i - 1] === '--out') continue;
      const looksLikeFile = arg.includes('/') || /\.(xml|gz|zip|eml|mbox|toml|json|pem)$/.test(arg);
      if (!looksLikeFile || arg.startsWith('-')) continue;
      if (!existsSync(join(ROOT, arg))) return null;
      shipped = true;
    }
    commands.push({ text, args });
  }
  return shipped ? commands : null;
}

/** A printed sample of output: the checkout as /home/you/ruaflow/, the database as the default
 * one; a last line `…` means the output goes on. */
function matchesSample(sample: string, actual: string, db: string): void {
  const normalised = actual.replaceAll(db, join(ROOT, 'reports/ruaflow.sqlite')).replaceAll(ROOT, '/home/you/ruaflow/');
  const lines = sample.replace(/\n$/, '').split('\n');
  if (lines.at(-1) === '…') {
    const head = lines.slice(0, -1);
    assert.deepEqual(normalised.split('\n').slice(0, head.length), head);
  } else {
    assert.equal(normalised.replace(/\n$/, ''), lines.join('\n'));
  }
}

describe('sh blocks that run ruaflow over the repository’s files', () => {
  const found: string[] = [];
  for (const page of PAGES) {
    const blocks = fencedBlocks(docText(page));
    blocks.forEach((block, index) => {
      if (block.lang !== 'sh') return;
      const commands = runnable(block.body);
      if (commands === null) return;
      const next = blocks[index + 1];
      const sample = next !== undefined && next.lang === '' ? next.body : null;
      found.push(`${page}: ${commands.map((c) => c.text.trim()).join(' / ')}`);
      it(`${pagePath(page)}: ${commands.map((c) => c.text.trim().replace(/\s+/g, ' ')).join('; ')}`, async () => {
        const dir = mkdtempSync(join(scratch, 'run-'));
        const db = join(dir, 'ruaflow.sqlite');
        let stdout = '';
        for (const { text, args } of commands) {
          const withDb = args.map((arg, i) => (args[i - 1] === '--db' ? db : arg));
          const result = await ruaflow(withDb, { cwd: ROOT, env: args[0] === 'run' ? {} : { RUAFLOW_DB: db } });
          assert.equal(result.code, 0, `${text}\n${result.stderr}`);
          stdout += result.stdout;
        }
        if (sample !== null) matchesSample(sample, stdout, db);
      });
    });
  }

  it('include the README’s quick start and its samples', () => {
    assert.ok(found.some((f) => f === 'README.md: npm start'), found.join('\n'));
    assert.ok(found.filter((f) => f.startsWith('README.md:')).length >= 2, found.join('\n'));
    assert.ok(found.some((f) => f.startsWith('summaries.md:')), found.join('\n'));
  });

  it('skip what they cannot run', () => {
    assert.equal(runnable('npx ruaflow ingest ~/Maildir/.dmarc/cur reports-2026.mbox'), null);
    assert.equal(runnable('npx ruaflow sources --json --period 2026-11-01..2026-11-30 > sources.json'), null);
    assert.equal(runnable('ruaflow verify message.eml --ip 192.0.2.10'), null);
    assert.equal(runnable('npx ruaflow summary --send'), null, 'reads no file of the repository');
    assert.deepEqual(runnable('npx ruaflow ingest --db /tmp/x.sqlite \\\n    reports/inbox  # the demo')?.[0]?.args, ['ingest', '--db', '/tmp/x.sqlite', 'reports/inbox']);
  });
});

describe('the README', () => {
  it('starts a fresh machine with npm ci && npm start, and tests with npm test', () => {
    const block = docBlock('README.md', '## A fresh machine', 'sh');
    assert.match(block, /^npm ci && npm start\b/m);
    assert.match(block, /^npm test\b/m);
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    assert.match(scripts['start'] ?? '', /dist\/cli\/main\.js run$/, 'npm start is ruaflow run, which the sample above runs');
    assert.equal(scripts['prepare'], 'npm run build', 'npm ci builds dist/');
    assert.ok(scripts['test'] !== undefined);
  });

  it('its minimal ruaflow.toml loads', async () => {
    const dir = mkdtempSync(join(scratch, 'toml-'));
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(join(dir, 'secrets', 'imap_password'), 'imap-secret\n');
    writeFileSync(join(dir, 'secrets', 'smtp_password'), 'smtp-secret\n');
    const toml = docBlock('README.md', '## A minimal `ruaflow.toml`', 'toml')
      .replaceAll('/run/secrets/', `${join(dir, 'secrets')}/`)
      .replaceAll('/var/lib/ruaflow/', `${dir}/`);
    writeFileSync(join(dir, 'ruaflow.toml'), toml);
    // `reports` only reads (a database that does not exist is an error naming it): ingest makes it.
    const result = await ruaflow(['ingest', '--json', '--config', join(dir, 'ruaflow.toml'), join(ROOT, 'reports/inbox/README.md')], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(existsSync(join(dir, 'ruaflow.sqlite')), 'the database is where [database] path says');
    const listed = await ruaflow(['reports', '--json', '--config', join(dir, 'ruaflow.toml')], { cwd: dir });
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout.trim(), '[]');
  });
});
