/**
 * The overview (`ruaflow --help`, `ruaflow help`, `ruaflow` alone): one entry per command and the
 * common options, made from the declarations in src/cli/program.ts so that the two cannot
 * disagree, then the exit codes. Pure.
 */

/** What the overview shows of one command. */
export interface OverviewEntry {
  /** After `ruaflow `, e.g. `ingest PATH...`. */
  readonly usage: string;
  readonly summary: string;
  /** The options worth knowing from the overview, e.g. `[--domain D]`. */
  readonly hint?: string;
}

/** An option as the overview shows it: `--config FILE`, `--quiet, -q`. */
export interface OverviewOption {
  readonly flags: string;
  readonly description: string;
}

const WIDTH = 98;
const COLUMN = 30;

export function overview(commands: readonly OverviewEntry[], common: readonly OverviewOption[]): string {
  const lines = commands.flatMap((c) => entry(`ruaflow ${c.usage}`, c.summary.split(' '), c.hint === undefined ? [] : groups(c.hint)));
  return `ruaflow — DMARC aggregate-report processor

Usage:
${lines.join('\n')}
  ruaflow --version | --help
  ruaflow help COMMAND        every option of a command, with examples (also COMMAND --help, -h)

Common options:
${common.map((o) => `  ${o.flags.padEnd(14)}  ${o.description}`).join('\n')}

Exit codes: 0 ok (stored or duplicate), 1 the run failed, 2 usage or config error,
            3 some inputs were invalid (the rest were stored), 4 another ruaflow is polling
            this mailbox (or sending reports), 5 check found problems, 6 the database file
            is damaged (db check says where; restore a backup or .recover it).
            send-reports: 3 some reports could not be delivered for good (rejected, not
            authorised, too big, given up; each recorded), 1 the relay was unreachable.
            verify: 0 accept, 10 quarantine, 75 defer (try later), 69 reject.
`;
}

/** `  ruaflow NAME ARGS`, then the summary wrapped at word boundaries in a column of its own, then
 * the hint from a line of its own, wrapped between option groups. */
function entry(usage: string, summary: readonly string[], hint: readonly string[]): string[] {
  const lines: string[] = [];
  let line = `  ${usage}`.padEnd(COLUMN);
  let empty = true;
  const add = (word: string): void => {
    if (!empty && line.length + 1 + word.length > WIDTH) newLine();
    line += empty ? word : ` ${word}`;
    empty = false;
  };
  const newLine = (): void => {
    lines.push(line);
    line = ' '.repeat(COLUMN);
    empty = true;
  };
  summary.forEach(add);
  if (hint.length > 0) newLine();
  hint.forEach(add);
  lines.push(line);
  return lines;
}

/** `[--domain D]... [--dry-run [--out DIR]] --ip IP` → its groups: a bracketed group (with what
 * follows it up to a space) is never split. */
function groups(hint: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of hint) {
    if (c === ' ' && depth === 0) {
      if (current !== '') out.push(current);
      current = '';
      continue;
    }
    if (c === '[') depth++;
    if (c === ']') depth--;
    current += c;
  }
  if (current !== '') out.push(current);
  return out;
}
