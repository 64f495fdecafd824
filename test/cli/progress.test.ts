/**
 * The progress bar with an injected clock and a recording stream (STYLE.md 12: no sleeps).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgress, formatDuration, progressLine, type ProgressStream } from '../../src/cli/progress.js';

function recorder(isTTY: boolean, columns = 80): ProgressStream & { writes: string[] } {
  const writes: string[] = [];
  return { isTTY, columns, writes, write: (text: string) => writes.push(text) };
}

function clock(start = 1000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('createProgress', () => {
  it('writes nothing when the stream is not a terminal', () => {
    const stream = recorder(false);
    const p = createProgress({ total: 10, label: 'ingest', stream });
    for (let i = 0; i < 10; i++) p.tick();
    p.done();
    assert.deepEqual(stream.writes, []);
  });

  it('draws on one line with \\r, at most every 100 ms, and ends the line on done()', () => {
    const stream = recorder(true);
    const c = clock();
    const p = createProgress({ total: 100, label: 'ingest', stream, now: c.now });
    p.tick(); // first tick draws
    for (let i = 0; i < 49; i++) p.tick(); // same instant: throttled
    assert.equal(stream.writes.length, 1);
    c.advance(99);
    p.tick();
    assert.equal(stream.writes.length, 1);
    c.advance(1);
    p.tick(); // 100 ms after the first draw
    assert.equal(stream.writes.length, 2);
    for (const w of stream.writes) {
      assert.ok(w.startsWith('\r') && w.endsWith('\x1b[K'), JSON.stringify(w));
      assert.ok(!w.includes('\n'));
    }
    assert.match(stream.writes[1] ?? '', /ingest \[#+-+\] 52\/100  52%  520\/s  ETA 0:00/);
    p.done();
    assert.equal(stream.writes.at(-1), '\n');
    assert.match(stream.writes.at(-2) ?? '', /52\/100/);
    p.tick();
    p.done();
    assert.equal(stream.writes.length, 4, 'nothing after done()');
  });

  it('draws a full-width bar when the terminal reports 0 columns (a serial console, some CI terminals)', () => {
    const stream = recorder(true, 0);
    const c = clock();
    const p = createProgress({ total: 100, label: 'ingest', stream, now: c.now });
    c.advance(1000);
    p.tick(25);
    assert.match(stream.writes[0] ?? '', /^\ringest \[#{8}-{22}\] 25\/100  25%  25\.0\/s  ETA 0:03\x1b\[K$/);
  });

  it('ticks by n', () => {
    const stream = recorder(true);
    const c = clock();
    const p = createProgress({ total: 10, label: 'x', stream, now: c.now });
    p.tick(7);
    assert.match(stream.writes[0] ?? '', / 7\/10  70%/);
  });
});

describe('progressLine', () => {
  it('shows bar, count/total, percentage, rate and ETA', () => {
    assert.equal(
      progressLine({ label: 'ingest', count: 250, total: 1000, elapsedMs: 10_000 }, 80),
      'ingest [########----------------------] 250/1000  25%  25.0/s  ETA 0:30',
    );
  });

  it('fits narrow terminals, dropping the bar first', () => {
    const line = progressLine({ label: 'ingest', count: 250, total: 1000, elapsedMs: 10_000 }, 40);
    assert.ok(line.length < 40, line);
    assert.equal(progressLine({ label: 'ingest', count: 250, total: 1000, elapsedMs: 10_000 }, 21), 'ingest 250/1000  25%');
    assert.equal(progressLine({ label: 'ingest', count: 250, total: 1000, elapsedMs: 10_000 }, 10), 'ingest 25');
    assert.equal(progressLine({ label: 'ingest', count: 250, total: 1000, elapsedMs: 10_000 }, 30), 'ingest 250/1000  25%  25.0/s');
  });

  it('without a total: count and rate only', () => {
    assert.equal(progressLine({ label: 'ingest', count: 5, total: 0, elapsedMs: 2000 }, 80), 'ingest 5  2.5/s');
  });

  it('past the estimated total: full bar, 100%, no ETA', () => {
    assert.equal(
      progressLine({ label: 'ingest', count: 12, total: 10, elapsedMs: 1000 }, 60),
      'ingest [##############################] 12/10  100%  12.0/s',
    );
  });

  it('before any time has passed: no rate, no ETA', () => {
    assert.equal(progressLine({ label: 'x', count: 0, total: 10, elapsedMs: 0 }, 40), 'x [--------------------------] 0/10  0%');
  });

  it('formatDuration', () => {
    assert.equal(formatDuration(7), '0:07');
    assert.equal(formatDuration(754), '12:34');
    assert.equal(formatDuration(3723), '1:02:03');
    assert.equal(formatDuration(-3), '0:00');
  });
});
