export const HELP = `ruaflow — DMARC aggregate-report processor

Usage:
  ruaflow run                 ingest the inbox (no config: the demo reports in reports/inbox)
                              and print a short summary per domain
  ruaflow ingest PATH...      ingest files and folders (recursive): .xml .gz .zip .eml .mbox,
                              recognised by content, not by name
  ruaflow reports             list stored reports [--domain D]
  ruaflow poll                one pass over the rua mailbox ([imap] in the configuration)
  ruaflow daemon              the scheduled jobs the configuration allows: poll ([imap];
                              also on new mail with idle = true), the weekly summary, send-reports
  ruaflow summary             per domain: messages, DMARC pass, sources, failures and fixes,
                              reporters, policy readiness
                              [--domain D]... [--period last-week|7d|30d|A..B|all]
                              [--format text|markdown|html|json|csv] [--offline] [--out FILE]
                              [--send: mail it to [summary] to and the domains' summary_to]
  ruaflow sources             every sending source of our [[domains]] with its class (ours,
                              service, forwarded, unknown, spoof) and the fix
                              [--domain D] [--period last-week|7d|30d|A..B] [--offline]
  ruaflow check               our DMARC, SPF and DKIM setup as receivers see it, each problem
                              with its fix [--domain D]
  ruaflow keygen DOMAIN       DKIM key pair in <dir>/<domain>/{selector,private,public,dns} and
                              the DNS records to publish [--selector S] [--bits 2048]
                              [--type rsa|ed25519] [--dir DIR] [--force]
  ruaflow verify [FILE|-]     verify a received message: --ip IP --helo NAME --mail-from ADDR
                              [--rcpt ADDR]... [--authserv-id ID] [--no-record]; prints the
                              Authentication-Results header (--json: the evaluation)
  ruaflow serve               the same as a local service: --socket PATH | --listen 127.0.0.1:PORT
                              (default 127.0.0.1:8893); one JSON request per line (see README)
  ruaflow send-reports        build yesterday's aggregate reports from the recorded evaluations
                              and send them to the rua addresses, safely and once
                              [--period yesterday|YYYY-MM-DD] [--dry-run [--out DIR]]
  ruaflow --version | --help
  ruaflow help COMMAND        every option of a command, with examples (also COMMAND --help, -h)

Common options:
  --config FILE   configuration file (default ./ruaflow.toml if present)
  --db FILE       database file (default reports/ruaflow.sqlite; env RUAFLOW_DB)
  --json          machine-readable output (see README)
  --quiet, -q     no progress bar (invalid inputs are still reported)

Exit codes: 0 ok (stored or duplicate), 1 the run failed, 2 usage or config error,
            3 some inputs were invalid (the rest were stored), 4 another ruaflow is polling
            this mailbox (or sending reports), 5 check found problems.
            send-reports: 3 some reports could not be delivered for good (rejected, not
            authorised, too big, given up; each recorded), 1 the relay was unreachable.
            verify: 0 accept, 10 quarantine, 75 defer (try later), 69 reject.
`;
