/**
 * A one-line progress bar for long runs (`ruaflow ingest` over thousands of files): count/total,
 * rate and ETA, redrawn in place with `\r`. Drawn only on a terminal, at most 10 times a second;
 * anywhere else (a pipe, a log file, CI) it writes nothing, so output stays clean.
 */

/** The part of a stream we use (process.stderr has this shape). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** Expected number of ticks; 0 or less when unknown (then no bar and no ETA). */
  readonly total: number;
  readonly label: string;
  readonly stream?: ProgressStream;
  /** Milliseconds, monotonic; injected by tests. */
  readonly now?: () => number;
}

export interface Progress {
  tick(n?: number): void;
  /** Erase the bar so that a log line can be written; the next tick draws it again. */
  clear(): void;
  /** Draw the final state and end the line. Further ticks are ignored. */
  done(): void;
}

/** Redraws at most this often: a terminal cannot show more, and writes cost. */
const MIN_REDRAW_MS = 100;
const DEFAULT_COLUMNS = 80;
const MAX_BAR = 30;

const NOOP: Progress = { tick() {}, clear() {}, done() {} };

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  if (stream.isTTY !== true) return NOOP;
  const now = options.now ?? (() => performance.now());
  const started = now();
  let count = 0;
  let lastDraw = -Infinity;
  let finished = false;

  const draw = (t: number): void => {
    lastDraw = t;
    // A terminal that does not know its size (a serial console, some CI runners, a pty opened
    // without a window size) reports 0 columns: draw for the usual 80, not an empty line.
    const columns = stream.columns !== undefined && stream.columns > 0 ? stream.columns : DEFAULT_COLUMNS;
    const line = progressLine({ label: options.label, count, total: options.total, elapsedMs: t - started }, columns);
    // \x1b[K clears what a longer previous line left behind.
    stream.write(`\r${line}\x1b[K`);
  };

  return {
    tick(n = 1) {
      if (finished) return;
      count += n;
      const t = now();
      if (t - lastDraw >= MIN_REDRAW_MS) draw(t);
    },
    clear() {
      if (finished) return;
      stream.write('\r\x1b[K');
      lastDraw = -Infinity;
    },
    done() {
      if (finished) return;
      finished = true;
      draw(now());
      stream.write('\n');
    },
  };
}

export interface ProgressState {
  readonly label: string;
  readonly count: number;
  readonly total: number;
  readonly elapsedMs: number;
}

/** The text of one progress line, fitted to `columns`. Pure, for tests. */
export function progressLine(state: ProgressState, columns: number): string {
  const { label, count, total, elapsedMs } = state;
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? count / seconds : 0;
  const known = total > 0;
  const parts = [known ? `${count}/${total}` : `${count}`];
  if (known) parts.push(`${Math.floor(Math.min(1, count / total) * 100)}%`);
  if (rate > 0) parts.push(`${formatRate(rate)}/s`);
  // The total is an estimate (an mbox counts once but yields many inputs): past it, no ETA.
  if (known && rate > 0 && count < total) parts.push(`ETA ${formatDuration((total - count) / rate)}`);
  const stats = parts.join('  ');
  // The last column stays empty: writing into it makes some terminals wrap.
  const room = columns - 1;

  const fixed = `${label} `.length + ' '.length + stats.length + 2; // 2: the bar's brackets
  const width = known ? Math.min(MAX_BAR, room - fixed) : 0;
  if (width >= 5) {
    const filled = Math.round(Math.min(1, count / total) * width);
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${stats}`;
  }
  // Too narrow for a bar: drop the least useful figures from the end, then cut.
  while (parts.length > 1 && `${label} ${parts.join('  ')}`.length > room) parts.pop();
  return `${label} ${parts.join('  ')}`.slice(0, Math.max(0, room));
}

function formatRate(rate: number): string {
  return rate >= 100 ? String(Math.round(rate)) : rate.toFixed(1);
}

/** `0:07`, `12:34`, `1:02:03`. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Below this many inputs a progress bar is only flicker. */
const PROGRESS_THRESHOLD = 20;

/** For a job that learns how many inputs it has: a bar from PROGRESS_THRESHOLD on. */
export const progressFor =
  (label: string) =>
  (total: number): Progress | null =>
    total >= PROGRESS_THRESHOLD ? createProgress({ total, label }) : null;

/** The ingest job's progress option: a bar on a terminal, nothing with --quiet or when stderr is
 * not a terminal (a log, a pipe). */
export const ingestProgress = (quiet: boolean): { progressFor?: ReturnType<typeof progressFor> } =>
  quiet || process.stderr.isTTY !== true ? {} : { progressFor: progressFor('ingest') };
