import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderSources, sourcesJson } from '../../src/deliver/sources-text.js';
import type { SourceRow } from '../../src/store/source-list.js';

const row = (over: Partial<SourceRow>): SourceRow => ({
  ip: '192.0.2.10',
  name: null,
  class: 'ours-pass',
  cause: null,
  service: null,
  reason: 'our relay 192.0.2.10: DKIM d=example.com s=s2026 (pass), SPF pass for example.com',
  fix: 'Nothing to do.',
  messages: 10,
  dmarcPass: 10,
  dmarcFail: 0,
  reporters: 2,
  firstSeen: 1794787200,
  lastSeen: 1794873599,
  ...over,
});

describe('renderSources', () => {
  const long = row({
    ip: '2001:db8:25:0:ffff:ffff:ffff:ffff',
    name: 'a-rather-long-host-name.outbound.mail-relays.example.com',
    class: 'spoof',
    reason: 'x '.repeat(80).trim(),
    fix: 'Nothing to fix at the source; publish p=quarantine or p=reject so receivers refuse it (now p=none).',
    messages: 1_234_567,
    dmarcPass: 0,
    dmarcFail: 1_234_567,
  });
  const view = {
    period: { label: 'last-week', begin: 1794787200, end: 1795392000 },
    domain: { domain: 'example.com', begin: 1794787200, end: 1794873599, sources: [long, row({})] },
    names: new Map<string, string | null>([['192.0.2.10', 'mail.example.com']]),
  };

  it('fits 100 columns, the header totals per class, names beside or below the address', () => {
    const text = renderSources(view);
    for (const line of text.split('\n')) assert.ok(line.length <= 100, `${line.length}: ${line}`);
    const lines = text.split('\n');
    assert.equal(lines[0], 'example.com: 2026-11-16 .. 2026-11-22 (last-week)');
    assert.equal(lines[1], '  1,234,577 messages from 2 sources');
    assert.equal(lines[2], '  ours-pass 10 · spoof 1,234,567');
    assert.match(text, /^ 1,234,567 {4}0\.0% {2}spoof {11}2001:db8:25:0:ffff:ffff:ffff:ffff\n {36}a-rather-long-host-name/m);
    assert.match(text, /ours-pass {7}192\.0\.2\.10 {2}mail\.example\.com\n {36}why: our relay/);
    assert.match(text, /fix: Nothing to fix at the source/);
    assert.doesNotMatch(text, /fix: Nothing to do\./, 'a fix of "nothing" is not printed');
    assert.match(text, /2 reporters, 2026-11-16\n/);
  });

  it('--json: every class present, the name known now over the stored one', () => {
    const json = sourcesJson(view);
    assert.deepEqual(json.classes, {
      'ours-pass': 10,
      'ours-dkim-fail': 0,
      'ours-spf-fail': 0,
      'service-pass': 0,
      'service-fail': 0,
      forwarded: 0,
      'unknown-pass': 0,
      spoof: 1_234_567,
    });
    assert.deepEqual(json.period, { label: 'last-week', begin: 1794787200, end: 1795391999 });
    assert.equal(json.sources[1]?.name, 'mail.example.com');
    assert.equal(json.sources[0]?.name, long.name, 'not looked up now: the stored name');
  });
});
