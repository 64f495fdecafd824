-- 003: sources explained against our configuration (ruaflow sources, the weekly summary).
-- Every record of one of our [[domains]] gets a class (src/analyze/correlate/classes.ts); records
-- of other domains get none. Rows are redone when the domain's configuration hash changes.

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
CREATE INDEX record_classes_domain ON record_classes (domain, class);

-- Per configured domain: the configuration hash its rows were made with, and the highest
-- records.id looked at, so that a run only reads records that arrived since.
CREATE TABLE classified_domains (
  domain            TEXT    PRIMARY KEY,
  config_hash       TEXT    NOT NULL,
  through_record_id INTEGER NOT NULL,
  classified_at     INTEGER NOT NULL
) WITHOUT ROWID;

-- Reverse DNS of source IPs, forward-confirmed (the name's A/AAAA contains the IP); shared by
-- sources and summaries. name null: no PTR. confirmed 0: a PTR whose name does not point back.
CREATE TABLE ptr_cache (
  ip         TEXT    PRIMARY KEY,            -- canonical text, as records.source_ip
  name       TEXT,
  confirmed  INTEGER NOT NULL DEFAULT 0,
  fetched_at INTEGER NOT NULL
) WITHOUT ROWID;

-- For your own queries:
--   SELECT class, SUM(count) FROM classified_records WHERE domain = 'example.com' GROUP BY class;
CREATE VIEW classified_records AS
SELECT c.domain, c.class, c.cause, c.service, c.reason, c.fix,
       r.id AS record_id, r.source_ip, c.ptr_name, r.count, r.header_from, r.envelope_from,
       r.dkim_aligned, r.spf_aligned, r.disposition,
       p.org_name, p.report_id, p.policy_domain, p.begin_ts, p.end_ts
  FROM record_classes c
  JOIN records r ON r.id = c.record_id
  JOIN reports p ON p.id = r.report_id;
