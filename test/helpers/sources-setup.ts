/**
 * What the sources tests read: the correlation fixtures (test/fixtures/correlation/: four
 * reports, the configuration with our [[domains]], and the golden classes in
 * ruaflow.expected.json), what `sources --json` prints of a domain, and a loopback DNS server
 * naming two of the fixtures' sources by PTR (SendGrid's, confirmed by its A record, and our relay).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SOURCE_CLASSES } from '../../src/store/source-classes.js';
import { startDnsServer, type DnsServer } from './dns-server.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/correlation/', import.meta.url));
/** The fixtures' ruaflow.toml: example.com, shop.example.com and example.org. */
export const CORRELATION_CONFIG = join(FIXTURES, 'ruaflow.toml');
export const CORRELATION_REPORTS = [
  'provider-a!example.com!2026-11-16.xml',
  'provider-b!example.com!2026-11-17.xml',
  'provider-a!example.net!2026-11-17.xml',
  'provider-c!example.org!2026-11-18.xml',
].map((f) => join(FIXTURES, f));

/** One domain of `ruaflow sources --json`. */
export interface SourcesJson {
  domain: string;
  period: { label: string; begin: number | null; end: number | null };
  messages: number;
  classes: Record<string, number>;
  sources: {
    ip: string;
    name: string | null;
    class: string;
    cause: string | null;
    service: string | null;
    reason: string;
    messages: number;
    dmarc_pass: number;
    dmarc_fail: number;
    reporters: number;
    first_seen: number;
    last_seen: number;
    fix: string;
  }[];
}

/** The golden expectation of the fixtures, as messages per class of one domain. */
export function expectedClasses(domain: string): Record<string, number> {
  const rows = JSON.parse(readFileSync(join(FIXTURES, 'ruaflow.expected.json'), 'utf8')) as { domain: string | null; class: string; count: number }[];
  const totals: Record<string, number> = Object.fromEntries(SOURCE_CLASSES.map((c) => [c, 0]));
  for (const r of rows) if (r.domain === domain) totals[r.class] = (totals[r.class] ?? 0) + r.count;
  return totals;
}

/** The server, and the environment that points ruaflow's [dns] at it. */
export async function startSourcesDns(): Promise<{ dns: DnsServer; env: NodeJS.ProcessEnv }> {
  const dns = await startDnsServer({
    '50.113.0.203.in-addr.arpa': { PTR: ['o1.ptr1234.sendgrid.net'] },
    'o1.ptr1234.sendgrid.net': { A: ['203.0.113.50'] },
    '10.2.0.192.in-addr.arpa': { PTR: ['mail.example.com'] },
    'mail.example.com': { A: ['192.0.2.10'] },
  });
  return { dns, env: { RUAFLOW_DNS_SERVERS: dns.server, RUAFLOW_DNS_TIMEOUT_MS: '1000' } };
}

/** What `sources --json --domain example.com` says over the correlation fixtures, whether the job
 * or the command produced it: the classes, volumes largest first, the names, the fix. */
export function assertExampleComSources(json: SourcesJson): void {
  assert.equal(json.domain, 'example.com');
  assert.deepEqual(json.period, { label: 'all', begin: Date.UTC(2026, 10, 16) / 1000, end: Date.UTC(2026, 10, 17, 23, 59, 59) / 1000 });
  assert.deepEqual(json.classes, expectedClasses('example.com'));
  assert.equal(json.messages, json.sources.reduce((s, x) => s + x.messages, 0));
  const volumes = json.sources.map((s) => s.messages);
  assert.deepEqual(volumes, [...volumes].sort((a, b) => b - a));
  const sendgrid = json.sources.find((s) => s.ip === '203.0.113.50');
  assert.deepEqual(
    sendgrid && [sendgrid.class, sendgrid.service, sendgrid.name, sendgrid.dmarc_pass, sendgrid.dmarc_fail, sendgrid.reporters],
    ['service-pass', 'SendGrid', 'o1.ptr1234.sendgrid.net', 150, 0, 1],
  );
  const relay = json.sources.find((s) => s.ip === '192.0.2.10' && s.class === 'ours-pass');
  assert.equal(relay?.name, 'mail.example.com');
  assert.equal(relay?.messages, 580, 'example.com and news.example.com mail of the relay');
  const mismatch = json.sources.find((s) => s.cause === 'key-mismatch');
  assert.match(mismatch?.fix ?? '', /ruaflow check/);
  for (const s of json.sources) assert.equal(s.dmarc_pass + s.dmarc_fail, s.messages);
}
