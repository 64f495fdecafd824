/**
 * The poll scenario of `npm run bench`: N small report e-mails in a local Dovecot mailbox (started
 * here on loopback, as the tests do), then `ruaflow poll` as a child process: messages/s and peak
 * RSS. Target (issue 3): 2,000 messages ≥ 200 messages/s, peak RSS ≤ 200 MiB.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDovecot } from '../test/helpers/dovecot.js';
import { reportEmail } from './generate.js';
import { measure, type RssMethod } from './measure.js';

export interface PollResult {
  readonly messages: number;
  readonly append_s: number;
  readonly poll_s: number;
  readonly messages_per_s: number;
  readonly peak_rss_mib: number | null;
  readonly output: unknown;
}

export async function benchPoll(options: { cli: string; quick: boolean; rss: RssMethod; tmp: string; seed: number; log: (line: string) => void }): Promise<PollResult> {
  const messages = options.quick ? 200 : 2000;
  const dovecot = await startDovecot({ users: { bench: 'secret' }, separator: '/' });
  try {
    const started = performance.now();
    for (let i = 0; i < messages; i++) await dovecot.appendMessage('bench', 'INBOX', reportEmail(i, options.seed).bytes);
    const append_s = (performance.now() - started) / 1000;
    options.log(`poll: ${messages} messages appended in ${append_s.toFixed(1)} s`);
    const ca = join(options.tmp, 'bench-ca.pem');
    writeFileSync(ca, dovecot.caPem);
    const cfg = join(options.tmp, 'bench-poll.toml');
    writeFileSync(
      cfg,
      [
        '[database]',
        `path = "${join(options.tmp, 'bench-poll.sqlite')}"`,
        '[imap]',
        'host = "127.0.0.1"',
        `port = ${dovecot.imapsPort}`,
        'user = "bench"',
        'password = "secret"',
        `ca_file = "${ca}"`,
        'archive_mailbox = "DMARC/archive"',
        '',
      ].join('\n'),
    );
    const m = await measure([options.cli, 'poll', '--config', cfg, '--json', '--quiet'], {
      cwd: options.tmp,
      rss: options.rss,
      scratch: options.tmp,
      timeoutMs: 600_000,
    });
    if (m.status !== 0) throw new Error(`ruaflow poll exited ${m.status ?? m.signal}: ${m.stderr.slice(-500)}`);
    const poll_s = m.wallMs / 1000;
    return {
      messages,
      append_s,
      poll_s,
      messages_per_s: messages / poll_s,
      peak_rss_mib: m.peakRssKiB === null ? null : m.peakRssKiB / 1024,
      output: JSON.parse(m.stdout) as unknown,
    };
  } finally {
    await dovecot.stop();
  }
}
