/**
 * Every command with its arguments, options, help text and examples, on commander. Light on
 * purpose: a command's module (and with it SQLite, the XML parser, mailauth) is imported only
 * inside its action, so `ruaflow --version` and `--help` start fast.
 *
 * Commander never prints an error or exits by itself here: exitOverride turns each of its
 * outcomes into a thrown value (a UsageError in ruaflow's one-line style, or a CommanderError
 * for help and version), and src/cli/exit.ts alone maps that to an exit code.
 */
import { Command, Help, Option, type CommanderError } from 'commander';
import { ruaflowVersion } from '../app/version.js';
import { UsageError } from '../errors.js';
import { overview, type OverviewOption } from './help.js';
import { refuseIgnored } from './options.js';

/** What a command module exports: parsed options (each module declares their type) and
 * operands in, exit code out. */
interface CommandModule {
  run(options: unknown, operands: readonly string[]): Promise<number>;
}

interface CommandSpec {
  readonly name: string;
  /** The command group it belongs to (`db` for `ruaflow db check`), when it has one. */
  readonly group?: string;
  /** The operands as usage shows them, e.g. `<PATH...>`; commander checks that the required ones are there. */
  readonly operands?: string;
  /** The message when a required operand is missing (kept from before commander). */
  readonly missing?: string;
  /** The operands as the overview shows them, e.g. `PATH...`. */
  readonly synopsis?: string;
  readonly summary: string;
  /** The options the overview names after the summary, e.g. `[--domain D]`. */
  readonly hint?: string;
  readonly options: readonly Option[];
  readonly examples: readonly string[];
  /** Common options this command would ignore, with why: left out of its help, and a usage error
   * naming the option when given (`--db` on a command that opens no database). */
  readonly ignores?: readonly { readonly option: '--db' | '--json'; readonly why: string }[];
  readonly load: () => Promise<CommandModule>;
}

/** `--domain D --domain E`: every value, in order. */
const collect = (value: string, previous: readonly string[] | undefined): string[] => [...(previous ?? []), value];

const opt = (flags: string, description: string): Option => new Option(flags, description);
const repeatable = (flags: string, description: string): Option => new Option(flags, description).argParser(collect);

/** On every command: the configuration, the database, the output form, the progress bar. */
const COMMON: readonly (() => Option)[] = [
  () => opt('--config <FILE>', 'configuration file (default ./ruaflow.toml if present)'),
  () => opt('--db <FILE>', 'database file (default reports/ruaflow.sqlite; env RUAFLOW_DB)'),
  () => opt('--json', 'machine-readable output (see docs/json-output.md)'),
  () => opt('-q, --quiet', 'no progress bar (invalid inputs are still reported)'),
];

const PERIOD = 'last-week, 7d, 30d, or A..B (YYYY-MM-DD..YYYY-MM-DD)';

const SPECS: readonly CommandSpec[] = [
  {
    name: 'run',
    summary: 'the configured job — poll the mailbox ([imap]) or ingest --inbox DIR; with no configuration at all the demo reports in reports/inbox — then a short summary per domain',
    options: [opt('--inbox <DIR>', 'a folder to ingest (without any configuration: the demo reports in reports/inbox)')],
    examples: ['ruaflow run', 'ruaflow run --inbox reports/inbox --db /tmp/demo.sqlite --json'],
    load: () => import('./commands/run.js'),
  },
  {
    name: 'ingest',
    synopsis: 'PATH...',
    operands: '<PATH...>',
    missing: 'at least one PATH',
    summary: 'ingest files and folders (recursive): .xml .gz .zip .eml .mbox, recognised by content, not by name',
    options: [],
    examples: ['ruaflow ingest reports/inbox', "ruaflow ingest --json 'reports/inbox/mpa.example.net!example.com!1793750400!1793836799.zip'", 'ruaflow ingest ~/Maildir/.dmarc/cur dmarc.mbox'],
    load: () => import('./commands/ingest.js'),
  },
  {
    name: 'reports',
    hint: '[--domain D]',
    summary: 'list stored reports',
    options: [opt('--domain <D>', 'only the reports about this policy domain')],
    examples: ['ruaflow reports', 'ruaflow reports --domain example.com --json'],
    load: () => import('./commands/reports.js'),
  },
  {
    name: 'poll',
    summary: 'one pass over the rua mailbox ([imap] in the configuration)',
    options: [],
    examples: ['ruaflow poll', 'ruaflow poll --config /etc/ruaflow.toml --json'],
    load: () => import('./commands/poll.js'),
  },
  {
    name: 'daemon',
    ignores: [{ option: '--json', why: 'the log is one JSON object per line whenever stderr is not a terminal' }],
    summary: 'the scheduled jobs the configuration allows: poll ([imap]; also on new mail with idle = true), the weekly summary, send-reports',
    options: [],
    examples: ['ruaflow daemon --config /etc/ruaflow.toml'],
    load: () => import('./commands/daemon.js'),
  },
  {
    name: 'summary',
    hint: "[--domain D]... [--period last-week|7d|30d|A..B|all] [--format text|markdown|html|json|csv] [--offline] [--out FILE] [--send: mail it to [summary] to and the domains' summary_to]",
    summary: 'per domain: messages, DMARC pass, sources, failures and fixes, reporters, policy readiness',
    options: [
      repeatable('--domain <D>', 'only this policy domain (repeat for several)'),
      opt('--period <P>', 'the period: last-week, 7d, 30d, A..B (YYYY-MM-DD..YYYY-MM-DD) or all (default last-week)'),
      opt('--format <F>', 'text, markdown, html, json or csv (default text; --json is --format json)'),
      opt('--offline', 'no DNS lookups: no PTR names, no published policy'),
      opt('--out <FILE>', 'write the summary to FILE instead of printing it'),
      opt('--send', 'mail it to [summary] to and the domains\u2019 summary_to'),
    ],
    examples: ['ruaflow summary --period 30d', 'ruaflow summary --domain example.com --format html --out summary.html', 'ruaflow summary --send'],
    load: () => import('./commands/summary.js'),
  },
  {
    name: 'sources',
    hint: '[--domain D] [--period last-week|7d|30d|A..B] [--offline]',
    summary: 'every sending source of our [[domains]] with its class (ours, service, forwarded, unknown, spoof) and the fix',
    options: [
      opt('--domain <D>', 'only this one of the [[domains]]'),
      opt('--period <P>', `the period: ${PERIOD}, or all (the default)`),
      opt('--offline', 'no DNS lookups: sources only a PTR name explains stay unknown'),
    ],
    examples: ['ruaflow sources', 'ruaflow sources --domain example.com --period 30d --json'],
    load: () => import('./commands/sources.js'),
  },
  {
    name: 'check',
    ignores: [{ option: '--db', why: 'check reads DNS and the configuration, not the database' }],
    hint: '[--domain D]',
    summary: 'our DMARC, SPF and DKIM setup as receivers see it, each problem with its fix',
    options: [opt('--domain <D>', 'only this domain (default: every one of the [[domains]])')],
    examples: ['ruaflow check', 'ruaflow check --domain example.com --json'],
    load: () => import('./commands/check.js'),
  },
  {
    name: 'keygen',
    ignores: [{ option: '--db', why: 'keygen writes key files, not the database' }],
    synopsis: 'DOMAIN',
    hint: '[--selector S] [--bits 2048] [--type rsa|ed25519] [--dir DIR] [--force]',
    operands: '<DOMAIN>',
    missing: 'a DOMAIN (ruaflow keygen example.com)',
    summary: 'DKIM key pair in <dir>/<domain>/{selector,private,public,dns} and the DNS records to publish',
    options: [
      opt('--selector <S>', 'the DKIM selector (default s<YYYYMM> of this month)'),
      opt('--bits <N>', 'RSA key size, 1024-8192 (default 2048)'),
      opt('--type <T>', 'rsa or ed25519 (default rsa)'),
      opt('--dir <DIR>', "the keys folder (default the domain's dkim_keys_dir, else ./dkim)"),
      opt('--force', 'replace a key pair already there'),
    ],
    examples: ['ruaflow keygen example.com', 'ruaflow keygen example.com --type ed25519 --selector ed1 --dir /etc/ruaflow/dkim'],
    load: () => import('./commands/keygen.js'),
  },
  {
    name: 'verify',
    synopsis: '[FILE|-]',
    hint: '--ip IP --helo NAME --mail-from ADDR [--rcpt ADDR]... [--authserv-id ID] [--no-record]',
    operands: '[FILE]',
    summary: 'verify a received message (FILE, or - or nothing for stdin) and print the Authentication-Results header (--json: the evaluation)',
    options: [
      opt('--ip <IP>', "the connecting client's IP address (required)"),
      opt('--helo <NAME>', 'the HELO/EHLO name the client gave (required)'),
      opt('--mail-from <ADDR>', 'the SMTP MAIL FROM address, empty for a bounce (required)'),
      repeatable('--rcpt <ADDR>', 'an SMTP RCPT TO address (repeat, or separate with commas)'),
      opt('--authserv-id <ID>', 'the authserv-id in the header (default [reporter] domain, else the host name)'),
      opt('--no-record', 'do not record the evaluation for outbound reports'),
    ],
    examples: ['ruaflow verify message.eml --ip 192.0.2.1 --helo mail.example.net --mail-from alice@example.net', 'ruaflow verify - --ip 2001:db8::1 --helo mx.example.org --mail-from "" --rcpt postmaster@example.com --json < message.eml'],
    load: () => import('./commands/verify.js'),
  },
  {
    name: 'serve',
    ignores: [{ option: '--json', why: 'requests and answers are JSON lines, and the log is JSON whenever stderr is not a terminal' }],
    hint: '--socket PATH | --listen 127.0.0.1:PORT (default 127.0.0.1:8893)',
    summary: 'verification as a local service: one JSON request per line (see docs/verifying-mail.md)',
    options: [
      opt('--socket <PATH>', 'listen on this Unix socket'),
      opt('--listen <HOST:PORT>', 'listen on this loopback address (default 127.0.0.1:8893)'),
      opt('--authserv-id <ID>', 'the authserv-id in the header (default [reporter] domain, else the host name)'),
      opt('--no-record', 'do not record the evaluations for outbound reports'),
    ],
    examples: ['ruaflow serve', 'ruaflow serve --socket /run/ruaflow/verify.sock'],
    load: () => import('./commands/serve.js'),
  },
  {
    name: 'web',
    ignores: [{ option: '--json', why: 'the answers under /api/v1/ are JSON, and the log is JSON whenever stderr is not a terminal' }],
    hint: '[--listen 127.0.0.1:8080]',
    summary: 'the dashboard and its JSON API (/api/v1/) on a loopback address, read-only, the same numbers as summary (see docs/web.md)',
    options: [opt('--listen <HOST:PORT>', 'listen on this loopback address (default [web] listen, else 127.0.0.1:8080)')],
    examples: ['ruaflow web', 'ruaflow web --listen 127.0.0.1:9090 --db /var/lib/ruaflow/ruaflow.sqlite'],
    load: () => import('./commands/web.js'),
  },
  {
    name: 'check',
    group: 'db',
    hint: '[--quick]',
    summary: "the database file's integrity (SQLite's integrity_check): ok, or each problem and how to recover; exit 6 when damaged",
    options: [opt('--quick', "SQLite's quick_check: every page read, indexes not compared with their tables (much faster)")],
    examples: ['ruaflow db check', 'ruaflow db check --quick --db /var/lib/ruaflow/ruaflow.sqlite --json'],
    load: () => import('./commands/db-check.js'),
  },
  {
    name: 'send-reports',
    hint: '[--period yesterday|YYYY-MM-DD] [--dry-run [--out DIR]]',
    summary: "build yesterday's aggregate reports from the recorded evaluations and send them to the rua addresses, safely and once",
    options: [
      opt('--period <P>', 'yesterday, or a day that has ended as YYYY-MM-DD (default yesterday)'),
      opt('--dry-run', 'build the reports into files, send nothing'),
      opt('--out <DIR>', 'with --dry-run: the folder for the files (default <[outbound] archive_dir>/dry-run)'),
    ],
    examples: ['ruaflow send-reports', 'ruaflow send-reports --period 2026-11-24 --dry-run --out /tmp/reports'],
    load: () => import('./commands/send-reports.js'),
  },
];

/** The command groups: a word before the command (`ruaflow db check`), with what the group is for. */
const GROUPS: Readonly<Record<string, string>> = {
  db: 'the database file: check (later also copy and status)',
};

/** `db check`, `ingest`: the words after `ruaflow`. */
const fullName = (spec: CommandSpec): string => (spec.group === undefined ? spec.name : `${spec.group} ${spec.name}`);

/** `ruaflow --help`: every command with its summary and main options, and the common options. */
export const HELP = overview(
  SPECS.map((spec) => ({ usage: spec.synopsis === undefined ? fullName(spec) : `${fullName(spec)} ${spec.synopsis}`, summary: spec.summary, ...(spec.hint === undefined ? {} : { hint: spec.hint }) })),
  COMMON.map((make) => overviewOption(make())),
);

/** `--config <FILE>` as `--config FILE`, `-q, --quiet` as `--quiet, -q`. */
function overviewOption(option: Option): OverviewOption {
  const argument = /[<[](\w+)[>\]]/.exec(option.flags)?.[1];
  const names = [option.long, option.short].filter((n) => n !== undefined).join(', ');
  return { flags: argument === undefined ? names : `${names} ${argument}`, description: option.description };
}

/** Commander's message as one ruaflow line: `unknown option '--nope' (did you mean --json?)`. */
function oneLine(message: string): string {
  return message
    .replace(/^error: /, '')
    .replace(/\n\(Did you mean (.+)\?\)$/, ' (did you mean $1?)')
    .replace(/\s*\n\s*/g, ' ');
}

/** Help and version end the run with code 0; every other commander outcome is a usage error. */
function usageError(command: Command, spec: CommandSpec | null, error: CommanderError): Error {
  if (error.exitCode === 0) return error;
  const prefix = spec === null ? '' : `${fullName(spec)}: `;
  switch (error.code) {
    case 'commander.unknownCommand': {
      const hint = /\(Did you mean (.+)\?\)/.exec(error.message)?.[1];
      return new UsageError(`unknown command "${command.args[0] ?? ''}"${hint === undefined ? '' : ` (did you mean ${hint}?)`}; see ruaflow --help`, { cause: error });
    }
    case 'commander.help':
      // `ruaflow help NOSUCH`: commander has printed the overview on stderr.
      return new UsageError(`unknown command "${command.args.at(-1) ?? ''}"; see ruaflow --help`, { cause: error });
    case 'commander.missingArgument':
      return new UsageError(`${prefix}expected ${spec?.missing ?? 'an argument'}; see ruaflow ${spec === null ? '' : fullName(spec)} --help`, { cause: error });
    case 'commander.excessArguments':
      return new UsageError(`${prefix}unexpected argument "${command.args[command.registeredArguments.length] ?? ''}"`, { cause: error });
    default:
      return new UsageError(`${prefix}${oneLine(error.message)}`, { cause: error });
  }
}

/** The group's command (`ruaflow db`), made the first time: its own help lists its commands;
 * alone or with a command it does not have, it is a usage error naming what it has. */
function groupCommand(program: Command, name: string): Command {
  const existing = program.commands.find((c) => c.name() === name);
  if (existing !== undefined) return existing;
  const group = program.command(name).description(GROUPS[name] ?? '').helpOption('-h, --help', 'print this help');
  group.exitOverride((error) => {
    if (error.exitCode === 0) throw error;
    const commands = group.commands.map((c) => c.name()).join(', ');
    if (error.code === 'commander.help') throw new UsageError(`${name}: expected a command (${commands}); see ruaflow ${name} --help`, { cause: error });
    const hint = /\(Did you mean (.+)\?\)/.exec(error.message)?.[1];
    if (error.code === 'commander.unknownCommand') {
      throw new UsageError(`${name}: unknown command "${group.args[0] ?? ''}" (${hint === undefined ? `expected ${commands}` : `did you mean ${hint}?`}); see ruaflow ${name} --help`, { cause: error });
    }
    throw new UsageError(`${name}: ${oneLine(error.message)}`, { cause: error });
  });
  return group;
}

/** The program; `done` receives the exit code of the command that ran. */
export function buildProgram(done: (code: number) => void): Command {
  const program = new Command('ruaflow')
    .version(`ruaflow ${ruaflowVersion()}`, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .helpCommand('help [COMMAND]', 'print the help of a command')
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      // Only help shown for an error goes there (`ruaflow help NOSUCH`): the one line main prints is enough.
      writeErr: () => undefined,
      // Errors are thrown (exitOverride) and printed once, in one line, by main.
      outputError: () => undefined,
    })
    .exitOverride((error) => {
      throw usageError(program, null, error);
    });
  program.command('version', { hidden: true }).action(() => {
    process.stdout.write(`ruaflow ${ruaflowVersion()}\n`);
    done(0);
  });
  for (const spec of SPECS) {
    const parent = spec.group === undefined ? program : groupCommand(program, spec.group);
    const command = parent.command(spec.name).description(spec.summary).helpOption('-h, --help', 'print this help').allowExcessArguments(false);
    if (spec.operands !== undefined) command.arguments(spec.operands);
    const ignored = new Map<string, string>((spec.ignores ?? []).map((i) => [i.option, i.why]));
    for (const option of spec.options) command.addOption(option);
    for (const option of COMMON.map((make) => make())) command.addOption(ignored.has(option.long ?? '') ? option.hideHelp() : option);
    command.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  ${e}`).join('\n')}\n`);
    command.exitOverride((error) => {
      throw usageError(command, spec, error);
    });
    command.action(async () => {
      const given = command.opts();
      for (const [option, why] of ignored) refuseIgnored(spec.name, option, given[option.slice(2)], `: ${why}`);
      const module = await spec.load();
      done(await module.run(given, command.args));
    });
  }
  // The overview (with the exit codes) is ours, made from the declarations above; each command's
  // own help is commander's.
  program.configureHelp({ formatHelp: (command, helper) => (command === program ? HELP : Help.prototype.formatHelp.call(helper, command, helper)) });
  return program;
}
