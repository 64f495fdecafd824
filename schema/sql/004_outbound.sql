-- 004: outbound aggregate reports — what we built, to whom we
-- send it, and what happened. The state lives here so that a report is sent at most once per
-- destination and a period is never reported twice, even across a crash (DESIGN.md
-- "Reliability rules"; RFC 9990 §2.1: a re-sent report keeps its Report-ID and filename).

-- One row per (policy domain, policy configuration, UTC day): built once, never rebuilt.
-- status: 'built' (deliveries below) | 'skipped' (a safety rule said no; skip_reason says which).
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
CREATE INDEX outbound_reports_period ON outbound_reports (begin_ts);

-- One row per report and rua address. state:
--   pending      not tried yet (or a crash came between the SMTP 250 and the commit: sent again)
--   deferred     4xx, relay unreachable or a DNS temperror; tried again at next_attempt_at
--   sent         the relay answered 250; sent_at set right after
--   rejected     5xx: the address is put on the suppression list
--   suppressed   the address was on the suppression list when its turn came
--   unauthorized the external destination did not authorise reports (RFC 9990 §3 / RFC 7489 §7.1)
--   too_big      the message exceeds the URI's size limit (RFC 7489 mode) or [outbound] max_message_bytes
--   expired      still deferred after [outbound] give_up_after_days
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
CREATE INDEX outbound_deliveries_due ON outbound_deliveries (state, next_attempt_at);

-- Addresses that answered with a permanent failure; not mailed again until expires_at.
CREATE TABLE outbound_suppressions (
  address     TEXT    PRIMARY KEY,
  reason      TEXT    NOT NULL,
  code        INTEGER,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
