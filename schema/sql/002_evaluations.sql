-- 002: the receiver side (ruaflow verify / serve): one row per verified message, with every
-- result an outbound aggregate report needs (RFC 9990 §3: row, identifiers, auth_results,
-- policy_published) and the seed-003 log fields per DKIM signature.

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
CREATE INDEX evaluations_policy_time ON evaluations (policy_domain, evaluated_at);
CREATE INDEX evaluations_time ON evaluations (evaluated_at);

-- Envelope recipients (RCPT TO), one row each; RFC 9990 envelope_to is their domain.
CREATE TABLE evaluation_recipients (
  evaluation_id INTEGER NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
  n             INTEGER NOT NULL,
  address       TEXT    NOT NULL,
  domain        TEXT    NOT NULL,
  PRIMARY KEY (evaluation_id, n)
) WITHOUT ROWID;

-- Every DKIM signature verified (seed 003: status, reason, domain, identity, selector, algorithm).
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

-- Why the applied disposition differs from the published policy (RFC 9990 PolicyOverrideType).
CREATE TABLE evaluation_reasons (
  evaluation_id INTEGER NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
  n             INTEGER NOT NULL,
  type          TEXT    NOT NULL,                     -- local_policy mailing_list other policy_test_mode trusted_forwarder
  comment       TEXT,
  PRIMARY KEY (evaluation_id, n)
) WITHOUT ROWID;
