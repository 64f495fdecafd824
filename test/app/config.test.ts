/**
 * Configuration: the pure parseConfig (file + environment → Config or one-line ConfigError) and
 * the loadConfig shell on real temporary files (default file, --config, secrets, relative paths).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { defaultConfig, loadConfig, parseConfig, type Config, type Env, type ReadSecret } from '../../src/app/config.js';
import { isCronExpression, isDnsServer, LIMIT_KEYS, SECTIONS } from '../../src/app/config/schema.js';
import { ConfigError } from '../../src/errors.js';
import { DEFAULT_LIMITS, DEFAULT_SERVE_LIMITS, LIMIT_SETTINGS, SERVE_LIMIT_SETTINGS } from '../../src/limits.js';

const CWD = '/srv/work';
const FILE_DIR = '/etc/ruaflow';

const secrets: Record<string, string> = {
  '/etc/ruaflow/imap.pw': 'imap-secret\n',
  '/run/secrets/smtp': 'smtp-secret\r\n',
  '/srv/work/env.pw': 'from-env-file\n\n',
  '/etc/ruaflow/empty.pw': '\n',
};
const readSecret: ReadSecret = (path) => {
  const text = secrets[path];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return text;
};

const parse = (text: string, env: Env = {}): Config => parseConfig(text, env, 'ruaflow.toml', { cwd: CWD, fileDir: FILE_DIR, readSecret });

/** The ConfigError message for this file and environment. */
function error(text: string, env: Env = {}, label: string | null = 'ruaflow.toml'): string {
  try {
    parseConfig(text, env, label, { cwd: CWD, fileDir: FILE_DIR, readSecret });
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
    return e.message;
  }
  assert.fail('expected a ConfigError');
}

const FULL = `
[database]
path = "data/dmarc.sqlite"

[imap]
host = "imap.example.com"
port = 143
secure = false
user = "dmarc@example.com"
password_file = "imap.pw"
mailbox = "INBOX/dmarc"
archive_mailbox = "INBOX/dmarc/done"
invalid_mailbox = "INBOX/dmarc/invalid"
not_aggregate_mailbox = "INBOX/dmarc/other"
idle = true
tls_reject_unauthorized = false
ca_file = "certs/ca.pem"

[smtp]
host = "smtp.example.com"
port = 465
user = "dmarc@example.com"
password_file = "/run/secrets/smtp"
from = "DMARC reports <dmarc@example.com>"

[dns]
servers = ["127.0.0.1:5353", "[2001:db8::53]:53"]
timeout_ms = 2500

[reporter]
org_name = "Example Ltd"
email = "dmarc-reports@example.com"
domain = "Example.COM"
extra_contact_info = "https://example.com/dmarc"
format = "rfc7489"

[schedule]
poll = "*/5 * * * *"
summary = "0 7 * * mon"
send_reports = "off"

[summary]
to = ["postmaster@example.com", "ops@example.org"]

[[domains]]
name = "example.com"
dkim_keys_dir = "dkim"
relays = ["192.0.2.10", "2001:db8::/48"]
services = ["sendgrid.net"]

[[domains]]
name = "example.org"

[policy]
known_signers = ["PayPal.com", "ebay.com"]
dkim_whitelist = ["lists.example.org"]

[limits]
max_message_bytes = 1048576
max_zip_members = 4

[serve]
max_connections = 64
idle_timeout_ms = 300000
`;

describe('parseConfig: a full file', () => {
  it('reads every section, applies defaults, resolves relative paths against the file folder', () => {
    const c = parse(FULL);
    const expected: Config = {
      file: 'ruaflow.toml',
      database: { path: '/etc/ruaflow/data/dmarc.sqlite' },
      imap: {
        host: 'imap.example.com',
        port: 143,
        secure: false,
        user: 'dmarc@example.com',
        password: 'imap-secret',
        passwordFile: '/etc/ruaflow/imap.pw',
        accessToken: null,
        accessTokenFile: null,
        mailbox: 'INBOX/dmarc',
        archiveMailbox: 'INBOX/dmarc/done',
        invalidMailbox: 'INBOX/dmarc/invalid',
        notAggregateMailbox: 'INBOX/dmarc/other',
        afterProcessing: 'move',
        batchSize: 50,
        idle: true,
        tlsRejectUnauthorized: false,
        caFile: '/etc/ruaflow/certs/ca.pem',
      },
      smtp: {
        host: 'smtp.example.com',
        port: 465,
        secure: true,
        user: 'dmarc@example.com',
        password: 'smtp-secret',
        passwordFile: '/run/secrets/smtp',
        from: 'DMARC reports <dmarc@example.com>',
      },
      dns: { servers: ['127.0.0.1:5353', '[2001:db8::53]:53'], timeoutMs: 2500 },
      reporter: {
        orgName: 'Example Ltd',
        email: 'dmarc-reports@example.com',
        domain: 'example.com',
        extraContactInfo: 'https://example.com/dmarc',
        format: 'rfc7489',
      },
      schedule: { poll: '*/5 * * * *', summary: '0 7 * * mon', sendReports: null },
      summary: { to: ['postmaster@example.com', 'ops@example.org'], sendEmpty: false },
      domains: [
        { name: 'example.com', dkimKeysDir: '/etc/ruaflow/dkim', keys: [], retiredSelectors: [], relays: ['192.0.2.10', '2001:db8::/48'], services: [{ name: 'sendgrid.net', ips: [], ptr: ['sendgrid.net'], dkim: ['sendgrid.net'] }], summaryTo: [] },
        { name: 'example.org', dkimKeysDir: null, keys: [], retiredSelectors: [], relays: [], services: [], summaryTo: [] },
      ],
      policy: { knownSigners: ['paypal.com', 'ebay.com'], dkimWhitelist: ['lists.example.org'], trustedForwarders: [] },
      limits: { ...DEFAULT_LIMITS, maxMessageBytes: 1048576, maxZipMembers: 4 },
      outbound: {
        ownRua: ['dmarc-reports@example.com'],
        allowDomains: [],
        denyDomains: [],
        maxRuaUris: 3,
        maxReportsPerRun: 1000,
        paceSeconds: 2,
        maxMessageBytes: 10 * 1024 * 1024,
        suppressDays: 30,
        giveUpAfterDays: 4,
        archiveDir: '/srv/work/reports/outbound',
      },
      serve: { ...DEFAULT_SERVE_LIMITS, maxConnections: 64, idleTimeoutMs: 300_000 },
      web: { listen: '127.0.0.1:8080', basePath: '' },
    };
    assert.deepEqual(c, expected);
  });

  it('accepts every [limits] key LIMIT_SETTINGS names, and nothing else', () => {
    assert.deepEqual(Object.keys(LIMIT_KEYS).sort(), Object.values(LIMIT_SETTINGS).sort());
    const text = `[limits]\n${Object.values(LIMIT_SETTINGS)
      .map((k, i) => `${k} = ${i + 1}`)
      .join('\n')}`;
    const c = parse(text);
    assert.deepEqual(
      Object.values(c.limits),
      Object.keys(LIMIT_SETTINGS).map((_, i) => i + 1),
    );
  });

  it('documents the sections DESIGN.md lists', () => {
    assert.deepEqual(Object.keys(SECTIONS), ['database', 'imap', 'smtp', 'dns', 'reporter', 'schedule', 'summary', 'policy', 'limits', 'outbound', 'serve', 'web']);
    assert.deepEqual(Object.keys(SECTIONS.serve), Object.values(SERVE_LIMIT_SETTINGS));
    assert.deepEqual(Object.keys(SECTIONS.smtp), ['host', 'port', 'secure', 'user', 'password', 'password_file', 'from']);
  });
});

describe('parseConfig: defaults', () => {
  it('no file: database under the working directory, nothing to poll or mail', () => {
    const c = defaultConfig(CWD);
    assert.equal(c.file, null);
    assert.equal(c.database.path, '/srv/work/reports/ruaflow.sqlite');
    assert.equal(c.imap, null);
    assert.equal(c.smtp, null);
    assert.deepEqual(c.limits, DEFAULT_LIMITS);
    assert.deepEqual(c.serve, DEFAULT_SERVE_LIMITS);
    assert.deepEqual(c.dns, { servers: [], timeoutMs: 5000 });
    assert.equal(c.reporter.format, 'rfc9990');
    assert.deepEqual(c.domains, []);
  });

  it('an empty file is the defaults too (the database stays relative to the working directory)', () => {
    assert.deepEqual({ ...parse(''), file: null }, defaultConfig(CWD));
  });

  it('derives ports from secure and secure from the port', () => {
    const imap = (extra: string) => parse(`[imap]\nhost = "h"\nuser = "u"\npassword = "p"\n${extra}`).imap;
    assert.deepEqual([imap('')?.port, imap('')?.secure], [993, true]);
    assert.deepEqual([imap('secure = false')?.port, imap('secure = false')?.secure], [143, false]);
    assert.equal(imap('')?.mailbox, 'INBOX');
    const smtp = (extra: string) => parse(`[smtp]\nhost = "h"\nfrom = "a@example.com"\n${extra}`).smtp;
    assert.deepEqual([smtp('')?.port, smtp('')?.secure], [587, false]);
    assert.deepEqual([smtp('port = 465')?.port, smtp('port = 465')?.secure], [465, true]);
    assert.deepEqual([smtp('secure = true')?.port, smtp('secure = true')?.secure], [465, true]);
    assert.deepEqual([smtp('port = 25')?.port, smtp('port = 25')?.secure], [25, false]);
  });

  it('keeps ":memory:" and absolute paths as they are', () => {
    assert.equal(parse('[database]\npath = ":memory:"').database.path, ':memory:');
    assert.equal(parse('[database]\npath = "/var/lib/r.db"').database.path, '/var/lib/r.db');
  });

  it('without a secret reader, keeps the secret file path and leaves the secret unread', () => {
    const c = parseConfig('[imap]\nhost = "h"\nuser = "u"\npassword_file = "pw"', {}, 'ruaflow.toml', { cwd: CWD, fileDir: FILE_DIR });
    assert.equal(c.imap?.password, null);
    assert.equal(c.imap?.passwordFile, '/etc/ruaflow/pw');
  });
});

describe('parseConfig: errors name the file, the key, what was expected, with an example', () => {
  const cases: [string, string, RegExp | string][] = [
    ['TOML syntax', '[imap\nhost = 1', /^ruaflow\.toml:1:\d+: invalid TOML: /],
    ['integer range', '[imap]\nport = 99999', 'ruaflow.toml: [imap] port: expected an integer 1-65535, e.g. port = 993 (got 99999)'],
    ['integer type', '[smtp]\nport = "587"', 'ruaflow.toml: [smtp] port: expected an integer 1-65535, e.g. port = 587 (got "587")'],
    ['float for integer', '[dns]\ntimeout_ms = 1.5', 'ruaflow.toml: [dns] timeout_ms: expected an integer 1-600000, e.g. timeout_ms = 5000 (got 1.5)'],
    ['boolean', '[imap]\nsecure = "yes"', 'ruaflow.toml: [imap] secure: expected true or false, e.g. secure = true (got "yes")'],
    ['list', '[summary]\nto = "a@example.com"', 'ruaflow.toml: [summary] to: expected a list of email addresses, e.g. to = ["postmaster@example.com"] (got "a@example.com")'],
    ['list item', '[summary]\nto = ["a@example.com", "nobody"]', 'ruaflow.toml: [summary] to: expected a list of email addresses, e.g. to = ["postmaster@example.com"] (got "nobody")'],
    ['send_empty', '[summary]\nsend_empty = "yes"', 'ruaflow.toml: [summary] send_empty: expected true or false, e.g. send_empty = false (got "yes")'],
    ['domain summary_to', '[[domains]]\nname = "example.com"\nsummary_to = ["ops@example.com", "ops"]', 'ruaflow.toml: [[domains]] #1 summary_to: expected a list of email addresses, e.g. summary_to = ["hostmaster@example.com"] (got "ops")'],
    ['email', '[reporter]\nemail = "not-an-address"', /^ruaflow\.toml: \[reporter\] email: expected an email address, e\.g\. email = "dmarc-reports@example\.com" \(got "not-an-address"\)$/],
    ['enum', '[reporter]\nformat = "rfc9999"', 'ruaflow.toml: [reporter] format: expected "rfc9990" or "rfc7489", e.g. format = "rfc9990" (got "rfc9999")'],
    ['cron', '[schedule]\npoll = "every minute"', 'ruaflow.toml: [schedule] poll: expected a cron expression (minute hour day month weekday) or "off", e.g. poll = "*/15 * * * *" (got "every minute")'],
    ['dns server', '[dns]\nservers = ["dns.example.com"]', /^ruaflow\.toml: \[dns\] servers: expected a list of IP addresses, each with an optional :port, e\.g\. servers = \["127\.0\.0\.1:5353"\] \(got "dns\.example\.com"\)$/],
    ['domain relays', '[[domains]]\nname = "example.com"\n[[domains]]\nname = "example.org"\nrelays = ["192.0.2.300"]', 'ruaflow.toml: [[domains]] #2 relays: expected a list of IP addresses or CIDR ranges, e.g. relays = ["192.0.2.10", "2001:db8::/48"] (got "192.0.2.300")'],
    ['service range', '[[domains]]\nname = "example.com"\n[[domains.services]]\nname = "SendGrid"\nips = ["1.2.3.300"]', 'ruaflow.toml: [[domains]] #1 services #1 ips: expected a list of IP addresses or CIDR ranges, e.g. ips = ["192.0.2.0/24", "2001:db8::/32"]'],
    ['service key', '[[domains]]\nname = "example.com"\nservices = ["x", { name = "Y", ipz = [] }]', 'ruaflow.toml: [[domains]] #1 services #2: unknown key ipz; expected one of name, ips, ptr, dkim (did you mean ips?)'],
    ['service name', '[[domains]]\nname = "example.com"\nservices = [{ ips = ["192.0.2.1"] }]', 'ruaflow.toml: [[domains]] #1 services #1 name: required'],
    ['key file', '[[domains]]\nname = "example.com"\nkeys = [{ selector = "s1" }]', 'ruaflow.toml: [[domains]] #1 keys #1 private_key_file: required'],
    ['domain name', '[[domains]]\nname = "exa mple.com"', 'ruaflow.toml: [[domains]] #1 name: expected a domain name, e.g. name = "example.com" (got "exa mple.com")'],
    ['domain without name', '[[domains]]\nrelays = []', 'ruaflow.toml: [[domains]] #1 name: required, e.g. name = "example.com"'],
    ['duplicate domain', '[[domains]]\nname = "example.com"\n[[domains]]\nname = "EXAMPLE.com"', 'ruaflow.toml: [[domains]] #2 name: "example.com" is already listed as #1'],
    ['limits', '[limits]\nmax_zip_members = 0', 'ruaflow.toml: [limits] max_zip_members: expected a positive integer, e.g. max_zip_members = 16 (got 0)'],
    ['serve connections', '[serve]\nmax_connections = 0', 'ruaflow.toml: [serve] max_connections: expected an integer 1-65535, e.g. max_connections = 256 (got 0)'],
    ['serve timeout', '[serve]\nverify_timeout_ms = "30s"', 'ruaflow.toml: [serve] verify_timeout_ms: expected an integer 1-86400000, e.g. verify_timeout_ms = 30000 (got "30s")'],
    ['unknown serve key', '[serve]\nidle_timout_ms = 5', /^ruaflow\.toml: \[serve\] idle_timout_ms: unknown key; .*\(did you mean idle_timeout_ms\?\)$/],
    ['date value', '[database]\npath = 1979-05-27', /^ruaflow\.toml: \[database\] path: expected a file path \(or ":memory:"\), e\.g\. path = "reports\/ruaflow\.sqlite" \(got 1979-05-27\)$/],
    ['unknown key', '[imap]\nhots = "x"', /^ruaflow\.toml: \[imap\] hots: unknown key; expected one of host, port, .* \(did you mean host\?\)$/],
    ['unknown limit', '[limits]\nmax_mesage_bytes = 1', /^ruaflow\.toml: \[limits\] max_mesage_bytes: unknown key; .*\(did you mean max_message_bytes\?\)$/],
    ['unknown domain key', '[[domains]]\nname = "example.com"\nrelay = []', /^ruaflow\.toml: \[\[domains\]\] #1 relay: unknown key; expected one of name, dkim_keys_dir, relays, services, keys, retired_selectors, summary_to \(did you mean relays\?\)$/],
    ['unknown section', '[imapp]\nhost = "x"', /^ruaflow\.toml: \[imapp\]: unknown section; expected one of \[database\], .*\[\[domains\]\] \(did you mean \[imap\]\?\)$/],
    ['key outside a section', 'path = "x.db"', /^ruaflow\.toml: path: settings belong in a section; .*\(did you mean \[database\] path\?\)$/],
    ['section not a table', 'imap = "imap.example.com"', 'ruaflow.toml: [imap]: expected a table of settings, e.g. [imap] host = "imap.example.com"'],
    ['domains not an array', '[domains]\nname = "example.com"', 'ruaflow.toml: [[domains]]: expected an array of tables, e.g. [[domains]] name = "example.com"'],
    ['imap without host', '[imap]\nuser = "u"\npassword = "p"', 'ruaflow.toml: [imap] host: required when [imap] is set, e.g. host = "imap.example.com"'],
    ['imap without credentials', '[imap]\nhost = "h"\nuser = "u"', /^ruaflow\.toml: \[imap\] password: required when \[imap\] is set \(or password_file, access_token, access_token_file\), e\.g\. password = "app-password"$/],
    ['smtp without from', '[smtp]\nhost = "h"', 'ruaflow.toml: [smtp] from: required when [smtp] is set, e.g. from = "DMARC reports <dmarc@example.com>"'],
    ['smtp password without user', '[smtp]\nhost = "h"\nfrom = "a@example.com"\npassword = "p"', 'ruaflow.toml: [smtp] user: required when a password is set, e.g. user = "dmarc@example.com"'],
    ['partial reporter', '[reporter]\norg_name = "X"', 'ruaflow.toml: [reporter] email: required when [reporter] is set, e.g. email = "dmarc-reports@example.com"'],
    ['password and password_file', '[imap]\nhost = "h"\nuser = "u"\npassword = "p"\npassword_file = "f"', 'ruaflow.toml: [imap] password: set either password or password_file, not both'],
  ];
  for (const [name, text, want] of cases) {
    it(name, () => {
      const message = error(text);
      if (typeof want === 'string') assert.equal(message, want);
      else assert.match(message, want);
    });
  }

  it('never echoes a secret back', () => {
    const message = error('[imap]\nhost = "h"\nuser = "u"\npassword = 12345');
    assert.equal(message, 'ruaflow.toml: [imap] password: expected a non-empty string, e.g. password = "app-password"');
  });

  it('an unreadable or empty secret file names the key and the path', () => {
    assert.equal(
      error('[imap]\nhost = "h"\nuser = "u"\npassword_file = "missing.pw"'),
      'ruaflow.toml: [imap] password_file: cannot read /etc/ruaflow/missing.pw: no such file or directory',
    );
    assert.equal(error('[imap]\nhost = "h"\nuser = "u"\npassword_file = "empty.pw"'), 'ruaflow.toml: [imap] password_file: /etc/ruaflow/empty.pw is empty');
  });

  it('any malformed document fails with a one-line ConfigError and nothing else (property)', () => {
    const value = fc.oneof(
      fc.integer(),
      fc.boolean(),
      fc.string({ maxLength: 8 }),
      fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
    );
    const sections = [...Object.keys(SECTIONS), 'domains', 'bogus'];
    const keys = [...new Set(Object.values(SECTIONS).flatMap((s) => Object.keys(s))), 'name', 'relays', 'bogus'];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...sections), fc.constantFrom(...keys), value), { maxLength: 6 }), (entries) => {
        const text = entries
          .map(([s, k, v]) => (s === 'domains' ? `[[domains]]\n${k} = ${JSON.stringify(v)}` : `[${s}]\n${k} = ${JSON.stringify(v)}`))
          .join('\n');
        try {
          parse(text);
        } catch (e) {
          assert.ok(e instanceof ConfigError, String(e));
          assert.ok(!e.message.includes('\n'), e.message);
          assert.ok(e.message.startsWith('ruaflow.toml') || e.message.startsWith('environment'), e.message);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseConfig: summary recipients', () => {
  it('reads [summary] send_empty and per-domain summary_to, defaulting to false and none', () => {
    const c = parse('[summary]\nto = ["pm@example.com"]\nsend_empty = true\n[[domains]]\nname = "example.com"\nsummary_to = ["ops@example.com"]\n[[domains]]\nname = "example.org"');
    assert.deepEqual(c.summary, { to: ['pm@example.com'], sendEmpty: true });
    assert.deepEqual(c.domains.map((d) => d.summaryTo), [['ops@example.com'], []]);
    assert.equal(parse('').summary.sendEmpty, false);
    assert.equal(parse('', { RUAFLOW_SUMMARY_SEND_EMPTY: 'true' }).summary.sendEmpty, true);
  });
});

describe('parseConfig: environment', () => {
  it('RUAFLOW_<SECTION>_<KEY> wins over the file, with numbers, booleans and lists coerced', () => {
    const c = parse(FULL, {
      RUAFLOW_IMAP_PORT: '993',
      RUAFLOW_IMAP_SECURE: 'TRUE',
      RUAFLOW_IMAP_IDLE: 'no',
      RUAFLOW_IMAP_ARCHIVE_MAILBOX: 'Archive',
      RUAFLOW_DNS_SERVERS: '192.0.2.53, 192.0.2.54:5353',
      RUAFLOW_SUMMARY_TO: 'a@example.com,b@example.com',
      RUAFLOW_LIMITS_MAX_MESSAGE_BYTES: '2048',
      RUAFLOW_SCHEDULE_POLL: 'off',
      RUAFLOW_REPORTER_FORMAT: 'rfc9990',
      RUAFLOW_SERVE_VERIFY_TIMEOUT_MS: '12000',
    });
    assert.equal(c.imap?.port, 993);
    assert.equal(c.imap?.secure, true);
    assert.equal(c.imap?.idle, false);
    assert.equal(c.imap?.archiveMailbox, 'Archive');
    assert.equal(c.imap?.host, 'imap.example.com', 'the rest of the file stays');
    assert.deepEqual(c.dns.servers, ['192.0.2.53', '192.0.2.54:5353']);
    assert.deepEqual(c.summary.to, ['a@example.com', 'b@example.com']);
    assert.equal(c.limits.maxMessageBytes, 2048);
    assert.equal(c.limits.maxZipMembers, 4);
    assert.equal(c.schedule.poll, null);
    assert.equal(c.reporter.format, 'rfc9990');
    assert.deepEqual(c.serve, { ...DEFAULT_SERVE_LIMITS, maxConnections: 64, idleTimeoutMs: 300_000, verifyTimeoutMs: 12_000 });
  });

  it('configures a whole section from the environment alone', () => {
    const c = parseConfig(
      '',
      { RUAFLOW_IMAP_HOST: 'imap.example.com', RUAFLOW_IMAP_USER: 'u', RUAFLOW_IMAP_PASSWORD: 'p', RUAFLOW_DATABASE_PATH: 'db/r.sqlite' },
      null,
      { cwd: CWD },
    );
    assert.equal(c.imap?.password, 'p');
    assert.equal(c.database.path, '/srv/work/db/r.sqlite');
  });

  it('RUAFLOW_DB is the database path, relative to the working directory', () => {
    assert.equal(parse(FULL, { RUAFLOW_DB: 'other.sqlite' }).database.path, '/srv/work/other.sqlite');
    assert.equal(parse('', { RUAFLOW_DB: 'x.db', RUAFLOW_DATABASE_PATH: 'x.db' }).database.path, '/srv/work/x.db');
    assert.equal(
      error('', { RUAFLOW_DB: 'a.db', RUAFLOW_DATABASE_PATH: 'b.db' }),
      'environment: RUAFLOW_DB and RUAFLOW_DATABASE_PATH differ ("a.db" vs "b.db"); set one',
    );
  });

  it('a secret from the environment replaces the file\'s, in either form', () => {
    assert.equal(parse(FULL, { RUAFLOW_IMAP_PASSWORD: 'env-pw' }).imap?.password, 'env-pw');
    const viaFile = parse('[imap]\nhost = "h"\nuser = "u"\npassword = "file-pw"', { RUAFLOW_IMAP_PASSWORD_FILE: 'env.pw' });
    assert.equal(viaFile.imap?.password, 'from-env-file');
    assert.equal(viaFile.imap?.passwordFile, '/srv/work/env.pw', 'relative to the working directory');
  });

  it('RUAFLOW_DOMAINS lists our domains, keeping the file settings of those it names', () => {
    const c = parse(FULL, { RUAFLOW_DOMAINS: 'EXAMPLE.com, example.net' });
    assert.deepEqual(
      c.domains.map((d) => [d.name, d.relays.length]),
      [
        ['example.com', 2],
        ['example.net', 0],
      ],
    );
  });

  it('ignores empty variables and RUAFLOW_* names outside the configuration', () => {
    const c = parse(FULL, { RUAFLOW_IMAP_PORT: '', RUAFLOW_LOG_LEVEL: 'debug', RUAFLOWX: '1', HOME: '/root' });
    assert.equal(c.imap?.port, 143);
  });

  it('names the variable and gives an example in environment form', () => {
    assert.equal(error('', { RUAFLOW_IMAP_PORT: 'imaps' }), 'environment: RUAFLOW_IMAP_PORT: expected an integer 1-65535, e.g. RUAFLOW_IMAP_PORT=993 (got "imaps")');
    assert.equal(error('', { RUAFLOW_IMAP_SECURE: 'maybe' }), 'environment: RUAFLOW_IMAP_SECURE: expected true or false, e.g. RUAFLOW_IMAP_SECURE=true (got "maybe")');
    assert.equal(
      error('', { RUAFLOW_DNS_SERVERS: '192.0.2.1,nope' }),
      'environment: RUAFLOW_DNS_SERVERS: expected a list of IP addresses, each with an optional :port, e.g. RUAFLOW_DNS_SERVERS=127.0.0.1:5353 (got "nope")',
    );
    assert.match(error('', { RUAFLOW_IMAP_PASWORD: 'x' }), /^environment: RUAFLOW_IMAP_PASWORD: unknown setting; expected one of RUAFLOW_IMAP_HOST, .* \(did you mean RUAFLOW_IMAP_PASSWORD\?\)$/);
    assert.equal(
      error('', { RUAFLOW_IMAP_HOST: 'h' }, null),
      'environment: RUAFLOW_IMAP_USER: required when RUAFLOW_IMAP_* is set, e.g. RUAFLOW_IMAP_USER=dmarc@example.com',
    );
    assert.equal(error('', { RUAFLOW_DOMAINS: 'ok.example,bad domain' }), 'environment: RUAFLOW_DOMAINS: expected a domain name, e.g. RUAFLOW_DOMAINS=example.com,example.org (got "bad domain")');
    assert.equal(error('', { RUAFLOW_DOMAINS: 'a.example,A.example' }), 'environment: RUAFLOW_DOMAINS: "a.example" is listed twice');
  });
});

describe('schema checks', () => {
  it('isCronExpression', () => {
    for (const ok of ['* * * * *', '*/15 * * * *', '0 8 * * mon', '0 8 * * mon-fri', '0 0 1,15 * *', '30 2 * jan-mar 0', '0 0 * * 7', '0 */5 * * * *']) {
      assert.equal(isCronExpression(ok), true, ok);
    }
    for (const bad of ['', '* * * *', '60 * * * *', '* 24 * * *', '* * 0 * *', '* * * 13 *', '* * * * 8', '*/0 * * * *', '5-1 * * * *', '@daily', '* * * * * * *']) {
      assert.equal(isCronExpression(bad), false, bad);
    }
  });

  it('isDnsServer', () => {
    for (const ok of ['192.0.2.53', '192.0.2.53:5353', '2001:db8::53', '[2001:db8::53]:53', '[::1]']) assert.equal(isDnsServer(ok), true, ok);
    for (const bad of ['dns.example.com', '192.0.2.53:0', '192.0.2.53:70000', '[192.0.2.53]:53', '2001:db8::53:', '']) assert.equal(isDnsServer(bad), false, bad);
  });
});

describe('loadConfig', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'ruaflow-config-'));
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('without a file: defaults, the database under the working directory', async () => {
    const cwd = join(root, 'empty');
    mkdirSync(cwd);
    const c = await loadConfig({ env: {}, cwd });
    assert.equal(c.file, null);
    assert.equal(c.database.path, join(cwd, 'reports', 'ruaflow.sqlite'));
  });

  it('reads ./ruaflow.toml when present', async () => {
    const cwd = join(root, 'default');
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'ruaflow.toml'), '[database]\npath = "mine.sqlite"\n');
    const c = await loadConfig({ env: {}, cwd });
    assert.equal(c.file, 'ruaflow.toml');
    assert.equal(c.database.path, join(cwd, 'mine.sqlite'));
  });

  it('--config: relative paths and secret files resolve against the file folder', async () => {
    const cwd = join(root, 'cwd');
    const etc = join(root, 'etc', 'ruaflow');
    mkdirSync(cwd);
    mkdirSync(join(etc, 'secrets'), { recursive: true });
    writeFileSync(join(etc, 'secrets', 'imap'), 'hunter2\n');
    writeFileSync(
      join(etc, 'ruaflow.toml'),
      '[database]\npath = "db.sqlite"\n[imap]\nhost = "imap.example.com"\nuser = "u"\npassword_file = "secrets/imap"\n[[domains]]\nname = "example.com"\ndkim_keys_dir = "dkim"\n',
    );
    const c = await loadConfig({ configPath: '../etc/ruaflow/ruaflow.toml', env: {}, cwd });
    assert.equal(c.file, '../etc/ruaflow/ruaflow.toml');
    assert.equal(c.database.path, join(etc, 'db.sqlite'));
    assert.equal(c.imap?.password, 'hunter2');
    assert.equal(c.imap?.passwordFile, join(etc, 'secrets', 'imap'));
    assert.equal(c.domains[0]?.dkimKeysDir, join(etc, 'dkim'));
  });

  it('--config naming a missing file is a ConfigError', async () => {
    await assert.rejects(
      loadConfig({ configPath: 'nope.toml', env: {}, cwd: root }),
      (e) => e instanceof ConfigError && e.message === 'nope.toml: cannot read the configuration file: no such file',
    );
  });

  it('--config naming a folder is a ConfigError', async () => {
    await assert.rejects(loadConfig({ configPath: '.', env: {}, cwd: root }), (e) => e instanceof ConfigError && /is a folder/.test(e.message));
  });

  it('a missing secret file is a ConfigError naming the key', async () => {
    const dir = join(root, 'nosecret');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ruaflow.toml'), '[smtp]\nhost = "h"\nfrom = "a@example.com"\nuser = "u"\npassword_file = "pw"\n');
    await assert.rejects(
      loadConfig({ env: {}, cwd: dir }),
      (e) => e instanceof ConfigError && e.message === `ruaflow.toml: [smtp] password_file: cannot read ${join(dir, 'pw')}: no such file or directory`,
    );
  });

  it('environment applies over the file', async () => {
    const dir = join(root, 'envover');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ruaflow.toml'), '[limits]\nmax_zip_members = 3\n');
    const c = await loadConfig({ env: { RUAFLOW_LIMITS_MAX_ZIP_MEMBERS: '5', RUAFLOW_DB: '/tmp/x.sqlite' }, cwd: dir });
    assert.equal(c.limits.maxZipMembers, 5);
    assert.equal(c.database.path, '/tmp/x.sqlite');
  });
});

describe('parseConfig: [outbound]', () => {
  it('reads every key; own_rua always includes [reporter] email; archive_dir resolves against the file folder', () => {
    const c = parse(`[reporter]
org_name = "Example"
email = "Reports@Example.com"
domain = "example.com"

[outbound]
own_rua = ["dmarc-rua@example.com", "DMARC-rua@example.com"]
allow_domains = ["Example.org"]
deny_domains = ["spam.example"]
max_rua_uris = 2
max_reports_per_run = 50
pace_seconds = 0
max_message_bytes = 2048
suppress_days = 7
give_up_after_days = 2
archive_dir = "sent"
`);
    assert.deepEqual(c.outbound, {
      ownRua: ['dmarc-rua@example.com', 'reports@example.com'],
      allowDomains: ['example.org'],
      denyDomains: ['spam.example'],
      maxRuaUris: 2,
      maxReportsPerRun: 50,
      paceSeconds: 0,
      maxMessageBytes: 2048,
      suppressDays: 7,
      giveUpAfterDays: 2,
      archiveDir: join(FILE_DIR, 'sent'),
    });
  });

  it('takes its keys from the environment too', () => {
    const c = parse('', { RUAFLOW_OUTBOUND_DENY_DOMAINS: 'a.example,b.example', RUAFLOW_OUTBOUND_MAX_RUA_URIS: '1' });
    assert.deepEqual(c.outbound.denyDomains, ['a.example', 'b.example']);
    assert.equal(c.outbound.maxRuaUris, 1);
  });

  it('says what is wrong with a bad value or an unknown key', () => {
    assert.throws(() => parse('[outbound]\nmax_rua_uris = 0\n'), (e) => e instanceof ConfigError && /\[outbound\] max_rua_uris: expected an integer 1-100/.test(e.message));
    assert.throws(() => parse('[outbound]\ndeny_domains = ["not a domain"]\n'), (e) => e instanceof ConfigError && /\[outbound\] deny_domains/.test(e.message));
    assert.throws(() => parse('[outbound]\npace = 3\n'), (e) => e instanceof ConfigError && /pace/.test(e.message) && /pace_seconds/.test(e.message));
  });
});
