-- 001: ledger, reports and their records (RFC 7489 App. C / RFC 9990 §3 shapes, tolerant).
-- Enumerated columns hold the normalised word, or the unknown word as written (never dropped).

-- Every input seen: a file, an mbox message, an IMAP message. One row per distinct
-- (source_key, sha256); seeing it again bumps times_seen.
CREATE TABLE inputs (
  id                INTEGER PRIMARY KEY,
  source            TEXT    NOT NULL,              -- file | mbox | imap
  source_key        TEXT    NOT NULL,              -- path, path#offset, imap:<mailbox>:<uidvalidity>:<uid>
  sha256            TEXT    NOT NULL,              -- of the whole input as read
  size              INTEGER NOT NULL,
  message_id        TEXT,
  subject           TEXT,
  outcome           TEXT    NOT NULL CHECK (outcome IN ('stored', 'duplicate', 'invalid', 'not_aggregate')),
  reason            TEXT,                          -- why invalid / not aggregate; null when stored
  reports_new       INTEGER NOT NULL DEFAULT 0,
  reports_duplicate INTEGER NOT NULL DEFAULT 0,
  reports_invalid   INTEGER NOT NULL DEFAULT 0,
  first_seen        INTEGER NOT NULL,              -- epoch seconds
  last_seen         INTEGER NOT NULL,
  times_seen        INTEGER NOT NULL DEFAULT 1,
  UNIQUE (source_key, sha256)
);
CREATE INDEX inputs_sha256 ON inputs (sha256);
CREATE INDEX inputs_message_id ON inputs (message_id) WHERE message_id IS NOT NULL;

CREATE TABLE reports (
  id                 INTEGER PRIMARY KEY,
  input_id           INTEGER REFERENCES inputs (id),
  org_name           TEXT    NOT NULL,
  email              TEXT,
  extra_contact_info TEXT,
  report_id          TEXT    NOT NULL,             -- <> stripped
  report_id_raw      TEXT    NOT NULL,
  policy_domain      TEXT    NOT NULL,
  begin_ts           INTEGER NOT NULL,             -- date_range, epoch seconds UTC
  end_ts             INTEGER NOT NULL,
  format             TEXT    NOT NULL,             -- rfc7489 | rfc9990 | draft
  namespace          TEXT,
  version            TEXT,
  generator          TEXT,
  errors             TEXT    NOT NULL DEFAULT '[]', -- JSON array of report_metadata/error
  adkim              TEXT,
  aspf               TEXT,
  p                  TEXT,
  sp                 TEXT,
  np                 TEXT,
  pct                INTEGER,
  fo                 TEXT,
  testing            TEXT,
  discovery_method   TEXT,
  payload_name       TEXT,                          -- attachment / zip member / file it came from
  content_sha256     TEXT    NOT NULL,              -- of the XML document
  record_count       INTEGER NOT NULL DEFAULT 0,
  message_count      INTEGER NOT NULL DEFAULT 0,
  issues             TEXT    NOT NULL DEFAULT '[]', -- JSON array of {code, message, count}
  stored_at          INTEGER NOT NULL,
  -- DESIGN.md: a report is the same report when these agree (report_id alone is not unique).
  UNIQUE (org_name, report_id, policy_domain, begin_ts, end_ts)
);
CREATE INDEX reports_domain_period ON reports (policy_domain, begin_ts);
CREATE INDEX reports_content ON reports (content_sha256);

CREATE TABLE records (
  id            INTEGER PRIMARY KEY,
  report_id     INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
  source_ip     TEXT    NOT NULL,                  -- canonical text (RFC 5952 for IPv6)
  ip_version    INTEGER,                           -- 4, 6, or null when not an IP address
  ip_bin        BLOB,                              -- 16 bytes, IPv4 as ::ffff:a.b.c.d: range queries
  count         INTEGER NOT NULL,
  disposition   TEXT,
  dkim_aligned  TEXT,
  spf_aligned   TEXT,
  header_from   TEXT,
  envelope_from TEXT,
  envelope_to   TEXT
);
CREATE INDEX records_report ON records (report_id);
CREATE INDEX records_ip ON records (ip_bin);

-- Child rows are keyed by (record, position) in a WITHOUT ROWID table: one B-tree instead of a
-- table plus an index, which halves the insert work for the rows written most.
CREATE TABLE dkim_results (
  record_id    INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  n            INTEGER NOT NULL,                  -- position in the record's auth_results
  domain       TEXT    NOT NULL,
  selector     TEXT,
  result       TEXT    NOT NULL,
  human_result TEXT,
  PRIMARY KEY (record_id, n)
) WITHOUT ROWID;

CREATE TABLE spf_results (
  record_id    INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  n            INTEGER NOT NULL,
  domain       TEXT    NOT NULL,
  scope        TEXT,
  result       TEXT    NOT NULL,
  human_result TEXT,
  PRIMARY KEY (record_id, n)
) WITHOUT ROWID;

CREATE TABLE reasons (
  record_id INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  n         INTEGER NOT NULL,
  type      TEXT    NOT NULL,
  comment   TEXT,
  PRIMARY KEY (record_id, n)
) WITHOUT ROWID;
