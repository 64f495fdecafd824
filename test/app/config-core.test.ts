/**
 * The pure configuration core (src/app/config/parse.ts): it returns a result instead of throwing,
 * takes the working directory, the environment and the secret reader as arguments, and the
 * loader's ConfigError carries exactly the core's message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TomlError } from 'smol-toml';
import { configFromToml, parseConfig, type ConfigResult, type ReadSecret } from '../../src/app/config.js';
import { ConfigError } from '../../src/errors.js';
import { DEFAULT_DNS_TIMEOUT_MS, DEFAULT_IMAP_BATCH_SIZE, DEFAULT_OUTBOUND } from '../../src/limits.js';

const WHERE = { cwd: '/nowhere/work', fileDir: '/nowhere/etc' };

function problem(result: ConfigResult): { message: string; cause?: unknown } {
  assert.equal(result.ok, false, 'expected a problem');
  if (result.ok) throw new Error('unreachable');
  return result.error;
}

function config(result: ConfigResult) {
  if (!result.ok) assert.fail(`expected a config, got ${result.error.message}`);
  return result.config;
}

describe('configFromToml: a result, never a throw', () => {
  it('an invalid value gives ok: false with the one-line message', () => {
    const error = problem(configFromToml('[imap]\nport = 99999', {}, 'ruaflow.toml', WHERE));
    assert.equal(error.message, 'ruaflow.toml: [imap] port: expected an integer 1-65535, e.g. port = 993 (got 99999)');
    assert.equal(error.cause, undefined);
  });

  it('a TOML syntax error gives ok: false with the line, the column and the parser error as cause', () => {
    const error = problem(configFromToml('[imap\nhost = "x"', {}, 'ruaflow.toml', WHERE));
    assert.match(error.message, /^ruaflow\.toml:1:\d+: invalid TOML: /);
    assert.ok(error.cause instanceof TomlError);
  });

  it('a broken rule between keys gives ok: false', () => {
    const toml = '[imap]\nhost = "h"\nuser = "u"\npassword = "p"\nafter_processing = "move"';
    const error = problem(configFromToml(toml, {}, 'ruaflow.toml', WHERE));
    assert.equal(error.message, 'ruaflow.toml: [imap] archive_mailbox: required when after_processing = "move", e.g. archive_mailbox = "DMARC/done"');
  });

  it('an unknown environment variable under a known section gives ok: false', () => {
    const error = problem(configFromToml('', { RUAFLOW_IMAP_HOTS: 'h' }, null, WHERE));
    assert.match(error.message, /^environment: RUAFLOW_IMAP_HOTS: unknown setting; .*\(did you mean RUAFLOW_IMAP_HOST\?\)$/);
  });

  it('the environment wins over the file', () => {
    const toml = '[dns]\ntimeout_ms = 1000\n[database]\npath = "file.sqlite"';
    const c = config(configFromToml(toml, { RUAFLOW_DNS_TIMEOUT_MS: '2500', RUAFLOW_DB: 'env.sqlite' }, 'ruaflow.toml', WHERE));
    assert.equal(c.dns.timeoutMs, 2500);
    // A path from the environment resolves against the given working directory, not the process's.
    assert.equal(c.database.path, '/nowhere/work/env.sqlite');
  });

  it('defaults resolve against the cwd it is given', () => {
    const c = config(configFromToml('', {}, null, { cwd: '/elsewhere' }));
    assert.equal(c.database.path, '/elsewhere/reports/ruaflow.sqlite');
    assert.equal(c.outbound.archiveDir, '/elsewhere/reports/outbound');
  });
});

describe('configFromToml: secrets come through the injected reader', () => {
  const toml = '[imap]\nhost = "h"\nuser = "u"\npassword_file = "secret/imap.pw"';

  it('reads the secret file through the reader, by its absolute path, not from the disk', () => {
    const asked: string[] = [];
    // The path does not exist on this machine: only the reader can answer.
    const readSecret: ReadSecret = (path) => {
      asked.push(path);
      return 's3cret\n';
    };
    const c = config(configFromToml(toml, {}, 'ruaflow.toml', { ...WHERE, readSecret }));
    assert.deepEqual(asked, ['/nowhere/etc/secret/imap.pw']);
    assert.equal(c.imap?.password, 's3cret');
  });

  it('a reader that fails gives ok: false naming the key, with the fault as cause', () => {
    const fault = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    const readSecret: ReadSecret = () => {
      throw fault;
    };
    const error = problem(configFromToml(toml, {}, 'ruaflow.toml', { ...WHERE, readSecret }));
    assert.match(error.message, /^ruaflow\.toml: \[imap\] password_file: cannot read \/nowhere\/etc\/secret\/imap\.pw: /);
    assert.equal(error.cause, fault);
  });

  it('an empty secret file gives ok: false', () => {
    const error = problem(configFromToml(toml, {}, 'ruaflow.toml', { ...WHERE, readSecret: () => '\r\n' }));
    assert.equal(error.message, 'ruaflow.toml: [imap] password_file: /nowhere/etc/secret/imap.pw is empty');
  });
});

describe('parseConfig: the edge turns a problem into a ConfigError with the same message', () => {
  for (const [what, toml, env] of [
    ['a bad value', '[smtp]\nport = 0', {}],
    ['a TOML error', 'x = ', {}],
    ['a conflict', '[smtp]\nhost = "h"\nfrom = "a@example.com"\npassword = "p"\npassword_file = "f"', {}],
    ['two database variables', '', { RUAFLOW_DB: 'a', RUAFLOW_DATABASE_PATH: 'b' }],
  ] as const) {
    it(what, () => {
      const error = problem(configFromToml(toml, env, 'ruaflow.toml', WHERE));
      assert.throws(
        () => parseConfig(toml, env, 'ruaflow.toml', WHERE),
        // Each call parses anew, so a cause is a new instance of the same class.
        (e: unknown) =>
          e instanceof ConfigError && e.message === error.message && (e.cause as object | undefined)?.constructor === (error.cause as object | undefined)?.constructor,
      );
    });
  }
});

describe('defaults that are tunables are read from src/limits.ts', () => {
  it('[outbound], [dns] timeout_ms and [imap] batch_size', () => {
    const c = config(
      configFromToml('[imap]\nhost = "h"\nuser = "u"\npassword = "p"', {}, 'ruaflow.toml', WHERE),
    );
    const { ownRua: _own, allowDomains: _allow, denyDomains: _deny, archiveDir: _dir, ...caps } = c.outbound;
    assert.deepEqual(caps, DEFAULT_OUTBOUND);
    assert.equal(c.dns.timeoutMs, DEFAULT_DNS_TIMEOUT_MS);
    assert.equal(c.imap?.batchSize, DEFAULT_IMAP_BATCH_SIZE);
  });
});
