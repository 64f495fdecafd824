/** The command line end to end, on real SQLite files in temp folders, as a user runs it. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { ruaflow } from '../helpers/cli.js';

const SAMPLES = fileURLToPath(new URL('../fixtures/samples/aggregate/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ruaflow-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface IngestJson {
  new: number;
  duplicate: number;
  invalid: number;
  not_aggregate: number;
  inputs: number;
  invalid_inputs: { path: string; reason: string }[];
}

describe('ruaflow CLI', () => {
  it('prints its version and help', async () => {
    const v = await ruaflow(['--version']);
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^ruaflow \d+\.\d+\.\d+\n$/);
    const h = await ruaflow(['--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /ruaflow ingest PATH/);
    assert.match(h.stdout, /ruaflow web +the dashboard[^]*\[--listen 127\.0\.0\.1:8080\]/);
  });

  it('every command answers --help, -h and `help COMMAND` with each option and an example, exit 0', async () => {
    const commands = ['run', 'ingest', 'reports', 'poll', 'daemon', 'summary', 'sources', 'check', 'keygen', 'verify', 'serve', 'web', 'send-reports'];
    for (const command of commands) {
      const long = await ruaflow([command, '--help']);
      assert.equal(long.code, 0, `${command} --help: ${long.stderr}`);
      assert.equal(long.stderr, '');
      assert.match(long.stdout, new RegExp(`^Usage: ruaflow ${command} `));
      // A common option the command would ignore is left out of its help (and refused if given).
      const ignored = ({ daemon: ['--json'], serve: ['--json'], web: ['--json'], check: ['--db <FILE>'], keygen: ['--db <FILE>'] } as Record<string, string[]>)[command] ?? [];
      for (const common of ['--config <FILE>', '--db <FILE>', '--json', '-q, --quiet', '-h, --help']) {
        assert.equal(long.stdout.includes(`  ${common} `), !ignored.includes(common), `${command}: ${common}`);
      }
      assert.match(long.stdout, new RegExp(`\nExamples:\n  ruaflow ${command}`));
      assert.deepEqual(await ruaflow([command, '-h']), long);
      assert.deepEqual(await ruaflow(['help', command]), long);
    }
    const summary = (await ruaflow(['summary', '--help'])).stdout;
    for (const option of ['--domain <D>', '--period <P>', '--format <F>', '--offline', '--out <FILE>', '--send']) assert.ok(summary.includes(option), option);
    const verify = (await ruaflow(['help', 'verify'])).stdout;
    for (const option of ['--ip <IP>', '--helo <NAME>', '--mail-from <ADDR>', '--rcpt <ADDR>', '--authserv-id <ID>', '--no-record']) assert.ok(verify.includes(option), option);
    const overview = await ruaflow(['help']);
    assert.equal(overview.code, 0);
    assert.equal(overview.stdout, (await ruaflow(['--help'])).stdout);
    assert.deepEqual(await ruaflow(['-V']), await ruaflow(['--version']));
  });

  it('suggests the command or option meant, in one line, exit 2', async () => {
    const command = await ruaflow(['sumary']);
    assert.equal(command.code, 2);
    assert.equal(command.stderr, 'ruaflow: unknown command "sumary" (did you mean summary?); see ruaflow --help\n');
    const option = await ruaflow(['summary', '--formt', 'html']);
    assert.equal(option.code, 2);
    assert.equal(option.stderr, "ruaflow: summary: unknown option '--formt' (did you mean --format?)\n");
    const help = await ruaflow(['help', 'nosuch']);
    assert.equal(help.code, 2);
    assert.equal(help.stderr, 'ruaflow: unknown command "nosuch"; see ruaflow --help\n');
    const missing = await ruaflow(['summary', '--period']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^ruaflow: summary: option '--period <P>' argument missing\n$/);
  });

  it('says what is wrong with the command line, exit 2', async () => {
    const unknown = await ruaflow(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    const flag = await ruaflow(['ingest', '--nope', 'x']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /ingest: .*--nope/);
    const missing = await ruaflow(['ingest']);
    assert.equal(missing.code, 2);
    assert.doesNotMatch(missing.stderr, /\n\s+at /, 'no stack trace');
  });

  it('ingests every sample: exit 3 for the invalid ones, --json counts, no stack trace; reports --json lists them', async () => {
    // What is counted and stored: test/jobs/ingest.test.ts.
    const db = join(dir, 'samples.sqlite');
    const first = await ruaflow(['ingest', SAMPLES, '--db', db, '--json']);
    assert.equal(first.code, 3, first.stderr);
    assert.doesNotMatch(first.stderr, /\n\s+at /);
    const totals = JSON.parse(first.stdout) as IngestJson;
    assert.equal(totals.inputs, 42);
    assert.equal(totals.not_aggregate, 6);
    assert.equal(totals.invalid, totals.invalid_inputs.length);
    for (const i of totals.invalid_inputs) assert.deepEqual(Object.keys(i), ['path', 'reason']);

    const list = await ruaflow(['reports', '--db', db, '--json']);
    assert.equal(list.code, 0);
    const reports = JSON.parse(list.stdout) as Record<string, unknown>[];
    assert.equal(reports.length, totals.new);
    for (const r of reports) {
      for (const key of ['org_name', 'report_id', 'policy_domain', 'begin', 'end', 'records', 'messages', 'format', 'issues']) {
        assert.ok(key in r, `${key} in reports --json`);
      }
    }
    const table = await ruaflow(['reports', '--db', db, '--domain', 'example.com']);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /^begin \(UTC\) +domain +reporter +report id +records +messages +format +issues\n/);
    assert.match(table.stdout, /\n\d+ reports?\n$/);
  });

  it('exits 0 when everything is stored or duplicate, and prints a human summary', async () => {
    const db = join(dir, 'ok.sqlite');
    const inbox = join(dir, 'ok-inbox');
    mkdirSync(inbox);
    copyFileSync(join(SAMPLES, 'parsedmarc/nice-input.xml.gz'), join(inbox, 'a.gz'));
    copyFileSync(join(SAMPLES, 'parsedmarc/twilight.eml'), join(inbox, 'b'));
    const r = await ruaflow(['ingest', inbox, '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /2 inputs: 2 new reports, 0 duplicates, 0 invalid/);
  });

  it('runs on the demo inbox with no configuration (npm start)', async () => {
    const cwd = join(dir, 'newcomer');
    mkdirSync(cwd);
    const r = await ruaflow(['run'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /example\.com: \d+ reports? from \d+ reporters?/);
    assert.match(r.stdout, /DMARC pass \d+\.\d%/);
    assert.match(r.stdout, /top sources:/);
    const again = await ruaflow(['run', '--json'], { cwd });
    const json = JSON.parse(again.stdout) as { ingest: IngestJson };
    assert.equal(json.ingest.new, 0);
    assert.ok(json.ingest.duplicate > 0);
  });

  it('uses the database named by the config file and by RUAFLOW_DB', async () => {
    const cwd = join(dir, 'configured');
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'ruaflow.toml'), '[database]\npath = "data/from-config.sqlite"\n');
    const gz = join(SAMPLES, 'parsedmarc/nice-input.xml.gz');
    assert.equal((await ruaflow(['ingest', gz], { cwd })).code, 0);
    const viaConfig = JSON.parse((await ruaflow(['reports', '--json', '--db', join(cwd, 'data/from-config.sqlite')], { cwd })).stdout) as unknown[];
    assert.equal(viaConfig.length, 1);
    const envDb = join(dir, 'env.sqlite');
    assert.equal((await ruaflow(['ingest', gz], { cwd, env: { RUAFLOW_DB: envDb } })).code, 0);
    assert.equal((JSON.parse((await ruaflow(['reports', '--json', '--db', envDb])).stdout) as unknown[]).length, 1);
  });

  it('reports a broken configuration in one line, exit 2', async () => {
    const cwd = join(dir, 'badconfig');
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'ruaflow.toml'), '[database]\npaht = "x"\n');
    const r = await ruaflow(['reports'], { cwd });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /ruaflow\.toml.*paht/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  it('refuses a database from a newer ruaflow, exit 1', async () => {
    const db = join(dir, 'newer.sqlite');
    const sqlite = new BetterSqlite3(db);
    sqlite.pragma('user_version = 999');
    sqlite.close();
    const r = await ruaflow(['reports', '--db', db]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /newer than this ruaflow/);
  });
});
