/**
 * walkInputs / countInputs on real temporary folders: order, hidden entries, symbolic-link loops,
 * broken links, caps, and mbox files split into messages.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IoError, LimitExceededError } from '../../src/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../../src/limits.js';
import { countInputs, walkInputs, type InputItem, type InputProblem } from '../../src/sources/files.js';
import { isInputProblem } from '../../src/sources/input.js';

const dec = new TextDecoder();

let root: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'ruaflow-sources-'));
});
after(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A fresh folder under the temp root, filled from a { relativePath: content } map. */
function tree(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function walk(paths: string[], limits: Limits = DEFAULT_LIMITS): Promise<(InputItem | InputProblem)[]> {
  const out: (InputItem | InputProblem)[] = [];
  for await (const x of walkInputs(paths, limits)) out.push(x);
  return out;
}

const labels = (xs: readonly (InputItem | InputProblem)[]) => xs.map((x) => x.label);
const rel = (dir: string) => (xs: readonly (InputItem | InputProblem)[]) => xs.map((x) => relative(dir, x.key));

describe('walkInputs: files and folders', () => {
  it('walks folders recursively in sorted order, every extension, skipping hidden entries and clutter', async () => {
    const dir = tree('order', {
      'b.xml': '<feedback/>',
      'a.zip': 'PK',
      'sub/z.gz': 'x',
      'sub/deeper/m.eml': 'Subject: x',
      'sub/A-upper': 'no extension',
      'notes.txt': 'text files are considered too',
      '.hidden.xml': 'skipped',
      '.git/config': 'skipped',
      '.DS_Store': 'skipped',
      'Thumbs.db': 'skipped',
      '__MACOSX/._a.zip': 'skipped',
      'sub/.cache/x.xml': 'skipped',
    });
    const items = await walk([dir]);
    assert.deepEqual(rel(dir)(items), ['a.zip', 'b.xml', 'notes.txt', 'sub/A-upper', 'sub/deeper/m.eml', 'sub/z.gz']);
    assert.ok(items.every((x) => !isInputProblem(x)));
    assert.ok(items.every((x) => x.key.startsWith('/')), 'keys are absolute');
  });

  it('labels inputs by the path as given, and reads their bytes', async () => {
    const dir = tree('labels', { 'in/r.xml': '<feedback>1</feedback>' });
    const given = relative(process.cwd(), join(dir, 'in'));
    const [item, ...rest] = await walk([given]);
    assert.equal(rest.length, 0);
    assert.ok(item && !isInputProblem(item));
    assert.equal(item.label, join(given, 'r.xml'));
    assert.equal(item.key, join(dir, 'in', 'r.xml'));
    assert.equal(item.size, 22);
    assert.equal(dec.decode(await item.read()), '<feedback>1</feedback>');
  });

  it('keeps the order of the paths given and takes an explicitly named hidden file', async () => {
    const dir = tree('explicit', { 'z.xml': 'z', 'a.xml': 'a', '.named.xml': 'n' });
    const items = await walk([join(dir, 'z.xml'), join(dir, '.named.xml'), join(dir, 'a.xml')]);
    assert.deepEqual(rel(dir)(items), ['z.xml', '.named.xml', 'a.xml']);
  });

  it('offers each file once, however it is reached', async () => {
    const dir = tree('once', { 'r.xml': 'r', 'sub/s.xml': 's' });
    const items = await walk([dir, join(dir, 'r.xml'), join(dir, 'sub')]);
    assert.deepEqual(rel(dir)(items), ['r.xml', 'sub/s.xml']);
  });

  it('follows symbolic links but ends a link loop', async () => {
    const dir = tree('loop', { 'a/r.xml': 'r', 'b/s.xml': 's' });
    symlinkSync('..', join(dir, 'a', 'up')); // a/up -> loop/
    symlinkSync(join(dir, 'a'), join(dir, 'b', 'to-a')); // b/to-a -> a (already walked)
    symlinkSync(join(dir, 'b', 's.xml'), join(dir, 'link.xml')); // a second name for b/s.xml
    symlinkSync('self', join(dir, 'self')); // a link to itself
    const items = await walk([dir]);
    assert.deepEqual(
      items.map((x) => [relative(dir, x.key), isInputProblem(x) ? x.reason : 'ok']),
      [
        ['a/r.xml', 'ok'],
        ['b/s.xml', 'ok'],
        ['self', 'symbolic link loop'],
      ],
    );
    // A linked folder reached first is walked under the link's name, the loop back up included.
    const viaLink = await walk([join(dir, 'b', 'to-a')]);
    assert.deepEqual(
      labels(viaLink).map((l) => relative(dir, l)),
      ['b/to-a/r.xml', 'b/to-a/up/b/s.xml', 'b/to-a/up/self'],
    );
  });

  it('reports a missing path and a broken link, and goes on', async () => {
    const dir = tree('problems', { 'ok.xml': 'ok' });
    symlinkSync(join(dir, 'gone.xml'), join(dir, 'broken.xml'));
    const missing = join(dir, 'nope', 'x.xml');
    const items = await walk([missing, dir]);
    assert.deepEqual(
      items.map((x) => [x.label, isInputProblem(x) ? x.reason : 'ok']),
      [
        [missing, 'no such file or directory'],
        [join(dir, 'broken.xml'), 'broken symbolic link (its target does not exist)'],
        [join(dir, 'ok.xml'), 'ok'],
      ],
    );
    assert.equal(items[0]?.key, missing);
  });

  it('reports what is neither a file nor a folder', async () => {
    const dir = tree('fifo', { 'r.xml': 'r' });
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    const items = await walk([dir]);
    assert.deepEqual(
      items.map((x) => [relative(dir, x.key), isInputProblem(x) ? x.reason : 'ok']),
      [
        ['pipe', 'not a regular file or folder (a device, socket or pipe)'],
        ['r.xml', 'ok'],
      ],
    );
  });

  it('reports a file over [limits] max_decompressed_bytes without reading it', async () => {
    const dir = tree('cap', { 'big.xml': 'x'.repeat(101), 'small.xml': 'x'.repeat(100) });
    const items = await walk([dir], { ...DEFAULT_LIMITS, maxDecompressedBytes: 100 });
    const [big, small] = items;
    assert.ok(big && isInputProblem(big));
    assert.match(big.reason, /file of 101 bytes exceeds the limit of 100 \(raise \[limits\] max_decompressed_bytes/);
    assert.ok(small && !isInputProblem(small));
  });

  it('read() re-checks the cap and reports a vanished file as IoError', async () => {
    const dir = tree('later', { 'grow.xml': 'x'.repeat(10), 'gone.xml': 'g' });
    const limits = { ...DEFAULT_LIMITS, maxDecompressedBytes: 10 };
    const [gone, grow] = await walk([dir], limits);
    assert.ok(grow && !isInputProblem(grow) && gone && !isInputProblem(gone));
    appendFileSync(join(dir, 'grow.xml'), 'more');
    await assert.rejects(grow.read(), (e) => e instanceof LimitExceededError && e.setting === 'max_decompressed_bytes');
    unlinkSync(join(dir, 'gone.xml'));
    await assert.rejects(gone.read(), (e) => e instanceof IoError && /gone\.xml: cannot read: no such file or directory/.test(e.message));
  });

  it('walks an empty folder to nothing, and the same tree the same way twice', async () => {
    const empty = tree('empty', {});
    assert.deepEqual(await walk([empty]), []);
    const dir = tree('twice', { 'q/1': '1', 'p/2': '2', '10': '3', '9': '4' });
    const first = labels(await walk([dir]));
    assert.deepEqual(first, labels(await walk([dir])));
    assert.deepEqual(
      first.map((l) => relative(dir, l)),
      ['10', '9', 'p/2', 'q/1'],
    );
  });
});

describe('walkInputs: mbox files', () => {
  const mbox = [
    'From alice@example.com Mon Jan  1 00:00:00 2024',
    'Subject: one',
    '',
    'first',
    '',
    'From bob@example.com Mon Jan  1 00:00:01 2024',
    'Subject: two',
    '',
    '>From the quoted line',
    '>>From the doubly quoted line',
    '',
    'From carol@example.com Mon Jan  1 00:00:02 2024',
    'Subject: three',
    '',
    'third',
    '',
  ].join('\n');

  it('splits an mbox into one input per message, keyed by offset, with ">From " un-quoted', async () => {
    const dir = tree('mbox', { 'box.mbox': mbox, 'after.xml': 'x' });
    const items = await walk([dir]);
    assert.deepEqual(labels(items), [join(dir, 'after.xml'), ...[1, 2, 3].map((n) => `${join(dir, 'box.mbox')} message ${n}`)]);
    const messages = items.slice(1) as InputItem[];
    const file = join(dir, 'box.mbox');
    assert.deepEqual(
      messages.map((m) => m.key),
      [0, mbox.indexOf('From bob'), mbox.indexOf('From carol')].map((offset) => `${file}#${offset}`),
    );
    assert.deepEqual(
      messages.map((m) => m.container),
      [1, 2, 3].map((index) => ({ key: file, index })),
    );
    // Read after the walk has finished: each read opens the file on its own.
    const texts = await Promise.all(messages.map(async (m) => dec.decode(await m.read())));
    assert.deepEqual(texts, [
      'Subject: one\n\nfirst\n',
      'Subject: two\n\nFrom the quoted line\n>From the doubly quoted line\n',
      'Subject: three\n\nthird\n',
    ]);
    assert.equal(messages[1]?.size, 'Subject: two\n\n>From the quoted line\n>>From the doubly quoted line\n'.length);
  });

  it('sniffs by content: an mbox without the extension is split, a .mbox that is not one is not', async () => {
    const dir = tree('sniff', { 'archive': mbox, 'fake.mbox': '<feedback/>' });
    const items = await walk([dir]);
    assert.deepEqual(
      items.map((x) => relative(dir, x.label)),
      ['archive message 1', 'archive message 2', 'archive message 3', 'fake.mbox'],
    );
  });

  it('reports a message over [limits] max_message_bytes and keeps the others', async () => {
    const big = `From a\n${'x'.repeat(50)}\n\nFrom b\nsmall\n`;
    const dir = tree('mbox-cap', { 'box.mbox': big });
    const items = await walk([dir], { ...DEFAULT_LIMITS, maxMessageBytes: 20 });
    const [first, second] = items;
    assert.ok(first && isInputProblem(first));
    assert.equal(first.label, `${join(dir, 'box.mbox')} message 1`);
    assert.match(first.reason, /message of 51 bytes exceeds the limit of 20 \(raise \[limits\] max_message_bytes/);
    assert.deepEqual(first.container, { key: join(dir, 'box.mbox'), index: 1 });
    assert.ok(second && !isInputProblem(second));
    assert.equal(dec.decode(await second.read()), 'small\n');
  });

  it('does not apply the whole-file cap to an mbox (it is read in chunks)', async () => {
    const dir = tree('mbox-big', { 'box.mbox': mbox });
    const items = await walk([dir], { ...DEFAULT_LIMITS, maxDecompressedBytes: 10 });
    assert.equal(items.filter(isInputProblem).length, 0);
    assert.equal(items.length, 3);
  });
});

describe('countInputs', () => {
  it('counts files and problems the walk will meet, an mbox once', async () => {
    const dir = tree('count', {
      'a.xml': 'a',
      'sub/b.xml': 'b',
      '.hidden': 'h',
      'box.mbox': 'From a\nx\n\nFrom b\ny\n',
    });
    symlinkSync('..', join(dir, 'sub', 'loop'));
    symlinkSync(join(dir, 'missing'), join(dir, 'broken'));
    assert.equal(await countInputs([dir, join(dir, 'nope')]), 5); // a.xml, box.mbox, broken, sub/b.xml, nope
  });
});
