CREATE VIEW classified_records AS
SELECT c.domain, c.class, c.cause, c.service, c.reason, c.fix,
       r.id AS record_id, r.source_ip, c.ptr_name, r.count, r.header_from, r.envelope_from,
       r.dkim_aligned, r.spf_aligned, r.disposition,
       p.org_name, p.report_id, p.policy_domain, p.begin_ts, p.end_ts
  FROM record_classes c
  JOIN records r ON r.id = c.record_id
  JOIN reports p ON p.id = r.report_id;

CREATE TABLE classified_domains (
  domain            TEXT    PRIMARY KEY,
  config_hash       TEXT    NOT NULL,
  through_record_id INTEGER NOT NULL,
  classified_at     INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE dkim_results (
  record_id    INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  n            INTEGER NOT NULL,                  -- position in the record's auth_results
  domain       TEXT    NOT NULL,
  selector     TEXT,
  result       TEXT    NOT NULL,
  human_result TEXT,
  PRIMARY KEY (record_id, n)
) WITHOUT ROWID;

CREATE TABLE evaluation_dkim (
  evaluation_id INTEGER NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
  n             INTEGER NOT NULL,
  domain        TEXT    NOT NULL,                     -- d=
  selector      TEXT    NOT NULL,                     -- s=
  identity      TEXT,                                 -- i=
  algorithm     TEXT,                                 -- a= (rsa-sha256, ed25519-sha256, rsa-sha1)
  key_bits      INTEGER,
  result        TEXT    NOT NULL,                     -- RFC 8601 §2.7.1: pass fail neutral policy temperror permerror none
  reason        TEXT,                                 -- human_result
  aligned       INTEGER NOT NULL DEFAULT 0,           -- 1 when d= aligns with header_from
  status        TEXT,                                 -- seed 000 / Exim view: pass | fail | invalid (could not be checked)
  PRIMARY KEY (evaluation_id, n)
) WITHOUT ROWID;

CREATE TABLE evaluation_reasons (
  evaluation_id INTEGER NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
  n             INTEGER NOT NULL,
  type          TEXT    NOT NULL,                     -- local_policy mailing_list other policy_test_mode trusted_forwarder
  comment       TEXT,
  PRIMARY KEY (evaluation_id, n)
) WITHOUT ROWID;

CREATE TABLE evaluation_recipients (
  evaluation_id INTEGER NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
  n             INTEGER NOT NULL,
  address       TEXT    NOT NULL,
  domain        TEXT    NOT NULL,
  PRIMARY KEY (evaluation_id, n)
) WITHOUT ROWID;

CREATE TABLE evaluations (
  id                   INTEGER PRIMARY KEY,
  evaluated_at         INTEGER NOT NULL,              -- epoch seconds UTC
  source_ip            TEXT    NOT NULL,              -- canonical text
  ip_bin               BLOB,                          -- 16 bytes (IPv4 mapped), as records.ip_bin
  helo                 TEXT,
  envelope_from        TEXT,                          -- the MAIL FROM address; '' for the null reverse-path
  envelope_from_domain TEXT,                          -- its domain ('' or null when none)
  header_from          TEXT,                          -- RFC5322.From domain; null when none or several
  header_from_count    INTEGER NOT NULL DEFAULT 1,    -- From domains seen (0: no From; >1: several)
  message_id           TEXT,
  -- SPF (RFC 7208): the identity checked and its result
  spf_domain           TEXT,
  spf_scope            TEXT,                          -- mfrom | helo
  spf_result           TEXT,                          -- none neutral pass fail softfail temperror permerror
  -- DMARC (RFC 9989)
  dmarc_result         TEXT,                          -- pass | fail | none | temperror | permerror
  policy_domain        TEXT,                          -- where the DMARC record was found; null: no record
  discovery_method     TEXT,                          -- psl | treewalk
  p                    TEXT,
  sp                   TEXT,
  np                   TEXT,
  adkim                TEXT,
  aspf                 TEXT,
  fo                   TEXT,
  testing              TEXT,                          -- t= : y | n
  pct                  INTEGER,
  rua                  TEXT,                          -- the rua tag as published (URI list)
  dkim_aligned         TEXT,                          -- pass | fail (policy_evaluated/dkim)
  spf_aligned          TEXT,                          -- pass | fail (policy_evaluated/spf)
  disposition          TEXT,                          -- none | quarantine | reject | pass (policy applied)
  decision             TEXT    NOT NULL,              -- accept | quarantine | defer | reject (what we did)
  arc_result           TEXT                           -- pass | fail | none
);

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

CREATE TABLE outbound_deliveries (
  report_row      INTEGER NOT NULL REFERENCES outbound_reports (id) ON DELETE CASCADE,
  address         TEXT    NOT NULL,  -- lower-cased mailto address
  uri             TEXT    NOT NULL,  -- the rua URI as published
  max_bytes       INTEGER,           -- the URI's !size limit (RFC 7489 §6.2), when given
  state           TEXT    NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  last_attempt_at INTEGER,
  sent_at         INTEGER,
  last_code       INTEGER,
  last_message    TEXT,
  PRIMARY KEY (report_row, address)
) WITHOUT ROWID;

CREATE TABLE outbound_reports (
  id             INTEGER PRIMARY KEY,
  policy_domain  TEXT    NOT NULL,
  config_key     TEXT    NOT NULL,   -- hash of p sp np adkim aspf fo testing pct discovery_method
  begin_ts       INTEGER NOT NULL,   -- period start, epoch seconds UTC (00:00:00)
  end_ts         INTEGER NOT NULL,   -- period end (23:59:59)
  report_id      TEXT    NOT NULL,   -- deterministic: the same after a crash and rebuild
  filename       TEXT    NOT NULL,   -- receiver!policy-domain!begin!end!report-id.xml.gz
  format         TEXT    NOT NULL,   -- rfc9990 | rfc7489
  status         TEXT    NOT NULL,   -- built | skipped
  skip_reason    TEXT,
  records        INTEGER NOT NULL DEFAULT 0,
  messages       INTEGER NOT NULL DEFAULT 0,
  rua            TEXT,               -- the rua tag the destinations came from
  payload        BLOB,               -- the gzip bytes, so that every attempt sends the same report
  built_at       INTEGER NOT NULL,
  UNIQUE (policy_domain, config_key, begin_ts)
);

CREATE TABLE outbound_suppressions (
  address     TEXT    PRIMARY KEY,
  reason      TEXT    NOT NULL,
  code        INTEGER,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE ptr_cache (
  ip         TEXT    PRIMARY KEY,            -- canonical text, as records.source_ip
  name       TEXT,
  confirmed  INTEGER NOT NULL DEFAULT 0,
  fetched_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE reasons (
  record_id INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  n         INTEGER NOT NULL,
  type      TEXT    NOT NULL,
  comment   TEXT,
  PRIMARY KEY (record_id, n)
) WITHOUT ROWID;

CREATE TABLE record_classes (
  record_id     INTEGER PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
  domain        TEXT    NOT NULL,            -- the configured domain the record belongs to
  class         TEXT    NOT NULL,            -- ours-pass ours-dkim-fail ours-spf-fail service-pass service-fail forwarded unknown-pass spoof
  cause         TEXT,                        -- ours-dkim-fail: no-signature unknown-selector retired-selector key-mismatch key-unavailable not-aligned
  service       TEXT,                        -- service-*: the configured service's name
  matched_by    TEXT,                        -- relay | ip | ptr | dkim; null for unknown sources
  ptr_name      TEXT,                        -- the forward-confirmed PTR name known when classified
  reason        TEXT    NOT NULL,            -- one sentence: what the record shows
  fix           TEXT    NOT NULL,            -- one sentence: what to do
  config_hash   TEXT    NOT NULL,            -- of the domain's configuration when classified
  classified_at INTEGER NOT NULL             -- epoch seconds
);

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
, source_id INTEGER REFERENCES source_ips (id));

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

CREATE TABLE source_ips (
  id INTEGER PRIMARY KEY,
  ip TEXT    NOT NULL UNIQUE                     -- records.source_ip as written
);

CREATE TABLE spf_results (
  record_id    INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  n            INTEGER NOT NULL,
  domain       TEXT    NOT NULL,
  scope        TEXT,
  result       TEXT    NOT NULL,
  human_result TEXT,
  PRIMARY KEY (record_id, n)
) WITHOUT ROWID;

CREATE INDEX evaluations_policy_time ON evaluations (policy_domain, evaluated_at);

CREATE INDEX evaluations_time ON evaluations (evaluated_at);

CREATE INDEX inputs_message_id ON inputs (message_id) WHERE message_id IS NOT NULL;

CREATE INDEX inputs_sha256 ON inputs (sha256);

CREATE INDEX outbound_deliveries_due ON outbound_deliveries (state, next_attempt_at);

CREATE INDEX outbound_reports_period ON outbound_reports (begin_ts);

CREATE INDEX record_classes_domain ON record_classes (domain, class);

CREATE INDEX records_ip ON records (ip_bin);

CREATE INDEX records_summary ON records (
  report_id, source_id, count,
  ((dkim_aligned IS 'pass') * 1 + (spf_aligned IS 'pass') * 2
    + (CASE disposition WHEN 'quarantine' THEN 4 WHEN 'reject' THEN 8 ELSE 0 END))
);

CREATE INDEX reports_content ON reports (content_sha256);

CREATE INDEX reports_domain_period ON reports (policy_domain, begin_ts);
