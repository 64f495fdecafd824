/**
 * Usage errors of the command line (exit 2, one line naming what is wrong), found before any
 * database is opened or any input read: a path that does not exist, options that contradict
 * each other or that have no effect without another one.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ruaflow } from '../helpers/cli.js';

const SAMPLES = fileURLToPath(new URL('../fixtures/samples/aggregate/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ruaflow-usage-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('paths that do not exist', () => {
  it('ingest: a missing path is a usage error naming it (exit 2), and nothing is ingested', async () => {
    const db = join(dir, 'missing-path.sqlite');
    const missing = join(dir, 'reports-2026.mbox');
    const r = await ruaflow(['ingest', join(SAMPLES, 'parsedmarc/nice-input.xml.gz'), missing, '--db', db, '--json']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `ruaflow: ingest: ${missing}: no such file or folder\n`);
    assert.equal(existsSync(db), false, 'nothing ingested, no database made');
  });

  it('run --inbox: a missing folder is a usage error naming it (exit 2)', async () => {
    const db = join(dir, 'missing-inbox.sqlite');
    const r = await ruaflow(['run', '--inbox', 'no-such-inbox', '--db', db], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, 'ruaflow: run: --inbox no-such-inbox: no such file or folder\n');
    assert.equal(existsSync(db), false);
  });
});

describe('read-only commands on a database that does not exist', () => {
  it('reports, summary and sources name the path (exit 2) and create neither the file nor its folder', async () => {
    const folder = join(dir, 'mistyped');
    const db = join(folder, 'ruaflwo.sqlite');
    const cfg = join(dir, 'one-domain.toml');
    writeFileSync(cfg, '[[domains]]\nname = "example.com"\n');
    for (const args of [['reports'], ['summary', '--offline'], ['sources', '--offline'], ['summary', '--json', '--period', '30d', '--offline']]) {
      const r = await ruaflow([...args, '--db', db, '--config', cfg]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '', args.join(' '));
      assert.equal(r.stderr, `ruaflow: ${db}: no such database; check --db, RUAFLOW_DB or [database] path, or store reports first with ruaflow ingest, poll or run\n`, args.join(' '));
      assert.equal(existsSync(folder), false, `${args.join(' ')} made ${folder}`);
    }
  });

  it('writing commands still create it, with its folder', async () => {
    const db = join(dir, 'new-folder', 'ruaflow.sqlite');
    const r = await ruaflow(['ingest', join(SAMPLES, 'parsedmarc/nice-input.xml.gz'), '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(existsSync(db), true);
    const list = await ruaflow(['reports', '--db', db, '--json']);
    assert.equal(list.code, 0, list.stderr);
    assert.equal((JSON.parse(list.stdout) as unknown[]).length, 1);
  });
});

describe('options that have no effect with the others given', () => {
  it('are usage errors naming both, exit 2', async () => {
    const db = join(dir, 'never.sqlite');
    const cases: [string[], string][] = [
      [['check', '--db', db], `check: --db ${db} has no effect: check reads DNS and the configuration, not the database`],
      [['keygen', 'example.com', '--db', db, '--dir', join(dir, 'keys')], `keygen: --db ${db} has no effect: keygen writes key files, not the database`],
      [['daemon', '--json'], 'daemon: --json has no effect: the log is one JSON object per line whenever stderr is not a terminal'],
      [['serve', '--json', '--listen', '127.0.0.1:0'], 'serve: --json has no effect: requests and answers are JSON lines, and the log is JSON whenever stderr is not a terminal'],
    ];
    for (const [args, message] of cases) {
      const r = await ruaflow(args, { cwd: dir });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, `ruaflow: ${message}\n`);
      assert.equal(r.stdout, '');
    }
    assert.equal(existsSync(join(dir, 'keys')), false);
  });
});
