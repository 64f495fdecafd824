/**
 * `ruaflow run` (`npm start`): the demo only when nothing is configured; with a configuration the
 * configured job — poll the rua mailbox (against a real Dovecot), then the overview per domain —
 * and never the demo reports in a user's database. Real SQLite files in temp folders.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { ruaflow } from '../helpers/cli.js';
import { startDovecot } from '../helpers/dovecot.js';

const DEMO = fileURLToPath(new URL('../../reports/inbox/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ruaflow-run-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('ruaflow run --json', () => {
  it('is snake_case like every other JSON output: dmarc_pass, top_sources', async () => {
    const r = await ruaflow(['run', '--inbox', DEMO, '--db', join(dir, 'json.sqlite'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { ingest: Record<string, unknown>; domains: Record<string, unknown>[] };
    assert.ok(out.domains.length > 0);
    for (const d of out.domains) {
      assert.deepEqual(Object.keys(d), ['domain', 'reports', 'reporters', 'begin', 'end', 'messages', 'dmarc_pass', 'top_sources']);
      for (const s of d['top_sources'] as Record<string, unknown>[]) assert.deepEqual(Object.keys(s), ['ip', 'messages', 'dmarc_pass']);
    }
    assert.deepEqual(Object.keys(out.ingest), ['new', 'duplicate', 'invalid', 'not_aggregate', 'inputs', 'invalid_inputs']);
  });
});

/** The reports stored in a database: reporter and report id. */
function storedReports(db: string): string[] {
  const sqlite = new BetterSqlite3(db, { readonly: true });
  try {
    return sqlite.prepare<[], { id: string }>("SELECT org_name || ' ' || report_id AS id FROM reports ORDER BY id").all().map((r) => r.id);
  } finally {
    sqlite.close();
  }
}

const demoReports = async (): Promise<string[]> => {
  const db = join(dir, 'demo-only.sqlite');
  if (!existsSync(db)) assert.equal((await ruaflow(['ingest', DEMO, '--db', db, '--quiet'])).code, 0);
  return storedReports(db);
};

describe('ruaflow run with a configuration', () => {
  it('with [imap]: polls the mailbox (a real Dovecot) into the configured database, then the overview; no demo report', async () => {
    const dovecot = await startDovecot({ users: { dmarc: 'secret' } });
    try {
      const mail = readdirSync(DEMO).find((f) => f.endsWith('.eml'));
      assert.ok(mail !== undefined, 'the demo inbox has a report e-mail');
      await dovecot.appendMessage('dmarc', 'INBOX', readFileSync(join(DEMO, mail)));
      const ca = join(dir, 'ca.pem');
      writeFileSync(ca, dovecot.caPem);
      const cwd = join(dir, 'imap');
      mkdirSync(cwd);
      const db = join(cwd, 'data', 'ruaflow.sqlite');
      writeFileSync(
        join(cwd, 'ruaflow.toml'),
        `[database]\npath = "${db}"\n[imap]\nhost = "127.0.0.1"\nport = ${dovecot.imapsPort}\nuser = "dmarc"\npassword = "secret"\nca_file = "${ca}"\narchive_mailbox = "DMARC/archive"\n`,
      );
      const r = await ruaflow(['run'], { cwd });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^Polled INBOX into ${db.replace(/[.]/g, '\\.')}\nINBOX: 1 message, 1 read: 1 new report, `));
      assert.match(r.stdout, /: 1 report from 1 reporter, /);
      const stored = storedReports(db);
      assert.equal(stored.length, 1, 'the one report of the mailbox, none of the demo folder');
      assert.ok((await demoReports()).length > 1);
      assert.equal((await dovecot.listMailbox('dmarc', 'INBOX')).length, 0, 'filed');
      assert.equal((await dovecot.listMailbox('dmarc', 'DMARC/archive')).length, 1);

      const json = await ruaflow(['run', '--json'], { cwd });
      assert.equal(json.code, 0, json.stderr);
      const out = JSON.parse(json.stdout) as Record<string, unknown>;
      assert.deepEqual(Object.keys(out), ['poll', 'domains']);
      assert.equal((out['poll'] as Record<string, unknown>)['messages'], 0);
    } finally {
      await dovecot.stop();
    }
  });

  it('without [imap] and without --inbox: a configuration error saying what to configure (exit 2), nothing written', async () => {
    const cwd = join(dir, 'no-imap');
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'ruaflow.toml'), '[database]\npath = "mine.sqlite"\n[[domains]]\nname = "example.com"\n');
    const r = await ruaflow(['run'], { cwd });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      'ruaflow: run: nothing to poll or ingest: ruaflow.toml has no [imap]; set [imap] to poll the rua mailbox (docs/reports-in.md#polling-the-rua-mailbox), or name a folder with --inbox DIR; the demo reports are read only without any configuration\n',
    );
    assert.equal(existsSync(join(cwd, 'mine.sqlite')), false);
  });

  it('RUAFLOW_* settings are a configuration too: no demo into RUAFLOW_DB', async () => {
    const cwd = join(dir, 'env');
    mkdirSync(cwd);
    const db = join(cwd, 'env.sqlite');
    const r = await ruaflow(['run'], { cwd, env: { RUAFLOW_DB: db } });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^ruaflow: run: nothing to poll or ingest: the environment \(RUAFLOW_DB\) has no \[imap\]; /);
    assert.equal(existsSync(db), false);
  });

  it('with --inbox DIR and a configuration: ingests that folder, as asked', async () => {
    const cwd = join(dir, 'inbox');
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'ruaflow.toml'), '[database]\npath = "mine.sqlite"\n');
    const r = await ruaflow(['run', '--inbox', DEMO], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(storedReports(join(cwd, 'mine.sqlite')), await demoReports());
  });

  it('without any configuration: the demo, into the default database or the one --db names', async () => {
    const cwd = join(dir, 'newcomer');
    mkdirSync(cwd);
    const r = await ruaflow(['run'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Ingested .*reports\/inbox\/? into .*reports\/ruaflow\.sqlite\n/);
    assert.deepEqual(storedReports(join(cwd, 'reports', 'ruaflow.sqlite')), await demoReports());
    const there = join(dir, 'demo-there.sqlite');
    assert.equal((await ruaflow(['run', '--db', there], { cwd })).code, 0);
    assert.deepEqual(storedReports(there), await demoReports());
  });
});
